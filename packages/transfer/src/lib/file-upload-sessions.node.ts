import { resolve } from 'node:path';
import type { RepositoryLocation } from '@ocikit/content';
import { readStateFile, writeStateFile } from './json-file.node.ts';
import { MemoryUploadSessions, type UploadSessionEntry } from './upload-sessions.ts';

/** The largest sessions file read. */
const MAX_SESSIONS_FILE_BYTES = 16 * 1024 * 1024;

/**
 * An {@link @ocikit/transfer!UploadSessionStore} kept in a JSON file: every change is
 * merged with what the file holds and written atomically (a temp file
 * renamed over it) before the upload goes on, so a process killed mid-upload
 * leaves the location of its last accepted chunk for the next run. The
 * locations carry the registries' upload state: the file is written only
 * its owner may read (0600), and its directory is created private (0700)
 * when missing. A file that cannot be read holds no sessions, and one that
 * cannot be written only makes uploads not resumable: neither fails a copy.
 */
export class FileUploadSessions extends MemoryUploadSessions {
  /** The file (absolute). */
  readonly path: string;

  private constructor(path: string) {
    super();
    this.path = path;
  }

  /**
   * Opens the sessions of a file.
   *
   * @param path - the JSON file, such as `~/.cache/ocikit/upload-sessions.json`
   * @returns the store
   */
  static async open(path: string): Promise<FileUploadSessions> {
    const store = new FileUploadSessions(resolve(path));
    store.add(...(await readEntries(store.path)));
    return store;
  }

  /** {@inheritDoc @ocikit/transfer!UploadSessionStore.set} */
  override async set(
    repository: RepositoryLocation,
    digest: string,
    location: string,
  ): Promise<void> {
    await this.#update(() => super.set(repository, digest, location));
  }

  /** {@inheritDoc @ocikit/transfer!UploadSessionStore.delete} */
  override async delete(repository: RepositoryLocation, digest: string): Promise<void> {
    await this.#update(() => super.delete(repository, digest));
  }

  /** The write in progress: updates run one after another. */
  #writing: Promise<void> = Promise.resolve();

  /**
   * Applies a change and writes the file, merged with its current sessions;
   * one update after another, so none writes an older state over a newer
   * one. A file that cannot be written leaves the upload going on, only not
   * resumable in a later run.
   */
  #update(change: () => Promise<void>): Promise<void> {
    const next = this.#writing.then(async () => {
      this.add(...(await readEntries(this.path)));
      await change();
      await writeStateFile(this.path, { version: 1, sessions: this.entries() }, true).catch(
        () => {},
      );
    });
    this.#writing = next.catch(() => {});
    return next;
  }
}

/** The sessions of a file; none when it is missing or not a sessions file. */
async function readEntries(path: string): Promise<UploadSessionEntry[]> {
  const { version, sessions } = ((await readStateFile(path, MAX_SESSIONS_FILE_BYTES)) ?? {}) as {
    version?: unknown;
    sessions?: unknown;
  };
  if (version !== 1 || !Array.isArray(sessions)) return [];
  return sessions.filter(
    (entry): entry is UploadSessionEntry =>
      Array.isArray(entry) &&
      entry.length === 4 &&
      entry.every((part: unknown) => typeof part === 'string'),
  );
}
