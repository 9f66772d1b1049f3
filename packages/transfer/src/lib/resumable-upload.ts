import {
  type Fetcher,
  isLocated,
  isRangeFetcher,
  type Located,
  type OperationOptions,
} from '@ocikit/content';
import { isOciError } from '@ocikit/digest';
import { type Descriptor, isManifestMediaType } from '@ocikit/spec';
import { onSide } from './errors.ts';
import type { UploadSessionStore } from './upload-sessions.ts';

/** An upload session of a registry, as a destination hands it out (`UploadSession` of `@ocikit/registry`). */
export interface ResumableSession {
  /** Where the session is; carries the registry's upload state. */
  readonly location: string;
  /** How many bytes the registry holds. */
  readonly offset: number;
  /** Asks the registry how many bytes it holds. */
  status(options?: OperationOptions): Promise<number>;
}

/**
 * A destination that uploads blobs through sessions it can pick up again
 * by location (a registry `Repository`).
 */
export interface SessionPusher extends Located {
  /** Opens a session. */
  startUpload(options?: OperationOptions): Promise<ResumableSession>;
  /** Picks up a session by location and asks how far it got. */
  resumeUpload(location: string, options?: OperationOptions): Promise<ResumableSession>;
  /** Pushes a blob (from `session.offset` on) in chunks through a session. */
  pushBlob(
    descriptor: Descriptor,
    content: ReadableStream<Uint8Array>,
    options: OperationOptions & {
      session: ResumableSession;
      streamed: false;
      onAppend: (session: ResumableSession) => Promise<void>;
    },
  ): Promise<void>;
}

/**
 * Tells whether a destination uploads through sessions it can resume.
 *
 * @param value - the destination
 * @returns whether it has `startUpload`, `resumeUpload`, `pushBlob` and a `location`
 */
export function isSessionPusher(value: unknown): value is SessionPusher {
  if (!isLocated(value)) return false;
  const record = value as unknown as Record<string, unknown>;
  return ['startUpload', 'resumeUpload', 'pushBlob'].every(
    (name) => typeof record[name] === 'function',
  );
}

/** How often one blob's upload is continued (or started again) after it broke off. */
const MAX_UPLOAD_RESUMES = 3;

/**
 * Uploads a blob to a registry through a recorded session: a session an
 * earlier run left (in `sessions`) is continued from the offset the
 * registry reports (`GET` → `Range`); else a new one is opened. The blob
 * goes in `PATCH` chunks, and the session's location is recorded after each
 * chunk the registry took. When the upload breaks off, the session's
 * status says how far it got and the rest is sent (a few times at most);
 * a session the registry dropped is started again from 0. The session stays
 * recorded after a failure, for a rerun; it is forgotten once the blob landed.
 *
 * @param from - the source (a `RangeFetcher` to continue mid-blob)
 * @param to - the destination
 * @param descriptor - the blob
 * @param options - the session store, `signal`, and `send`, which moves
 *   the source's bytes from an offset through the push it is given
 * @throws {TransferError} what the last attempt failed with
 */
export async function uploadResumably(
  from: Fetcher,
  to: SessionPusher,
  descriptor: Descriptor,
  options: {
    sessions: UploadSessionStore;
    signal: AbortSignal;
    send: (
      content: ReadableStream<Uint8Array>,
      offset: number,
      push: (content: ReadableStream<Uint8Array>) => Promise<void>,
    ) => Promise<void>;
  },
): Promise<void> {
  const { sessions, signal } = options;
  const where = to.location;
  const digest = descriptor.digest;
  const record = (session: ResumableSession) => sessions.set(where, digest, session.location);
  let session = await pickUp(to, sessions, descriptor, signal);
  for (let attempt = 0; ; attempt += 1) {
    if (session === undefined) {
      session = await onSide('destination', `start an upload of ${digest}`, () =>
        to.startUpload({ signal }),
      );
      await record(session);
    }
    const open = session;
    const offset = isRangeFetcher(from) ? open.offset : 0;
    if (offset !== open.offset) {
      // The source cannot start mid-blob: a new session from 0.
      session = undefined;
      await sessions.delete(where, digest);
      continue;
    }
    try {
      const content = await onSide('source', `fetch blob ${digest}`, () =>
        offset > 0 && isRangeFetcher(from)
          ? from.fetchRange(descriptor, { offset, signal })
          : from.fetch(descriptor, { signal }),
      );
      await options.send(content, offset, (relayed) =>
        to.pushBlob(descriptor, relayed, {
          signal,
          session: open,
          streamed: false,
          onAppend: record,
        }),
      );
      await sessions.delete(where, digest);
      return;
    } catch (error) {
      if (signal.aborted || attempt >= MAX_UPLOAD_RESUMES || !isDestinationBreak(error)) {
        throw error;
      }
      try {
        await open.status({ signal });
        await record(open);
      } catch {
        // The registry dropped the session: start again from 0.
        session = undefined;
        await sessions.delete(where, digest);
      }
    }
  }
}

/** A recorded session of the blob that the registry still holds, else undefined (and forgotten). */
async function pickUp(
  to: SessionPusher,
  sessions: UploadSessionStore,
  descriptor: Descriptor,
  signal: AbortSignal,
): Promise<ResumableSession | undefined> {
  const location = await sessions.get(to.location, descriptor.digest);
  if (location === undefined) return undefined;
  try {
    const session = await to.resumeUpload(location, { signal });
    if (session.offset <= descriptor.size) return session;
  } catch (error) {
    if (signal.aborted) throw error;
  }
  await sessions.delete(to.location, descriptor.digest);
  return undefined;
}

/**
 * Whether an upload failed on the destination's side in a way a session
 * status can tell about (the connection or the registry), not because the
 * content was wrong.
 */
function isDestinationBreak(error: unknown): boolean {
  const origin = (error as { origin?: unknown }).origin;
  if (origin === 'source') return false;
  return !isOciError(error) || !CONTENT_FAILURES.has(error.code);
}

const CONTENT_FAILURES = new Set(['DIGEST_MISMATCH', 'SIZE_MISMATCH', 'SIZE_EXCEEDED', 'ABORTED']);

/**
 * Whether a blob goes through a resumable session (when the copy has a
 * session store): the destination can resume sessions and the content is a blob.
 *
 * @param to - the destination
 * @param descriptor - the content
 * @returns whether to use {@link uploadResumably}
 */
export function usesSessions(to: unknown, descriptor: Descriptor): to is SessionPusher {
  return isSessionPusher(to) && !isManifestMediaType(descriptor.mediaType);
}
