import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationOptions } from '@ocikit/content';
import { errnoCode, readFileStream, writeFileAtomic } from '@ocikit/content/fs';
import {
  type Digest,
  type DigestResult,
  digestStream,
  HashingStream,
  OciError,
  parseDigest,
} from '@ocikit/digest';
import { Repository } from '@ocikit/registry';
import type { Descriptor } from '@ocikit/spec';
import type { OpenedLocation } from './locations.node.ts';

/** The media type a pushed blob is described with when none is given. */
export const DEFAULT_BLOB_MEDIA_TYPE = 'application/octet-stream';

/** Options of `Client.pushBlob`. */
export interface PushBlobOptions extends OperationOptions {
  /**
   * The digest the content must have: nothing is uploaded when it hashes to
   * another (a digest in the location works too).
   * @default undefined (any content)
   */
  digest?: string;
  /**
   * The media type of the returned descriptor.
   * @default 'application/octet-stream'
   */
  mediaType?: string;
}

/** What `Client.mountBlob` did. */
export interface MountBlobResult {
  /** The blob, now in the destination repository. */
  readonly descriptor: Descriptor;
  /**
   * `true`: the registry mounted it (no bytes moved); `false`: its bytes were
   * copied (another registry, or a registry that opened an upload instead).
   */
  readonly mounted: boolean;
}

/**
 * The registry repository and blob digest a location names, such as
 * `ghcr.io/org/app@sha256:…`.
 *
 * @param opened - the opened location
 * @returns the repository and the digest
 * @throws {OciError} `REFERENCE_INVALID` for a location without digest or
 *   with a tag; `UNSUPPORTED` for a layout or archive
 */
export function blobLocation(opened: OpenedLocation): { repository: Repository; digest: Digest } {
  const repository = registryRepository(opened);
  const { reference } = opened.location as { reference: { digest?: string; tag?: string } };
  if (reference.digest === undefined || reference.tag !== undefined) {
    throw new OciError(
      'REFERENCE_INVALID',
      `"${opened.name}" names no blob: give a repository and a digest alone, such as REPO@sha256:…`,
    );
  }
  return { repository, digest: parseDigest(reference.digest).digest };
}

/**
 * The registry repository of a location (blobs are addressed in registries only).
 *
 * @param opened - the opened location
 * @returns its repository
 * @throws {OciError} `UNSUPPORTED` for a layout or archive
 */
export function registryRepository(opened: OpenedLocation): Repository {
  if (!(opened.target instanceof Repository)) {
    throw new OciError(
      'UNSUPPORTED',
      `"${opened.name}" is no registry repository: blobs are addressed by digest in registries only`,
    );
  }
  return opened.target;
}

/**
 * Uploads a file or a stream as a blob, streamed: a file is hashed, then
 * sent (and verified again while it is sent); a stream is hashed while it is
 * written to a temp file, so its digest is known before the upload.
 *
 * @param repository - where it goes
 * @param content - a file path, or a stream (such as stdin)
 * @param options - {@link PushBlobOptions}; `tempDir` for the spooled stream
 * @returns the blob's descriptor
 * @throws {OciError} `DIGEST_MISMATCH` when the content is not `digest`
 *   (nothing is uploaded); `PATH_INVALID` for a file that cannot be read; the registry's errors
 */
export async function pushBlobContent(
  repository: Repository,
  content: string | ReadableStream<Uint8Array>,
  options: PushBlobOptions & { tempDir: string | undefined },
): Promise<Descriptor> {
  const { signal } = options;
  const expected = options.digest === undefined ? undefined : parseDigest(options.digest);
  const algorithm = expected?.algorithm;
  if (typeof content === 'string') {
    const hashed = await digestStream(await openBlobFile(content), {
      ...(algorithm === undefined ? {} : { algorithm }),
      ...(signal === undefined ? {} : { signal }),
    });
    return pushFile(repository, content, hashed, expected?.digest, options);
  }
  const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'ocikit-blob-'));
  try {
    const file = join(dir, 'blob');
    const hashing = new HashingStream(algorithm);
    await writeFileAtomic(file, content.pipeThrough(hashing), { signal, fsync: false });
    return await pushFile(repository, file, hashing.result, expected?.digest, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Uploads a file whose digest and size are known, unless it is not the expected digest. */
async function pushFile(
  repository: Repository,
  file: string,
  { digest, size }: DigestResult,
  expected: Digest | undefined,
  options: PushBlobOptions,
): Promise<Descriptor> {
  if (expected !== undefined && expected !== digest) {
    throw new OciError(
      'DIGEST_MISMATCH',
      `The content hashes to ${digest}, not to the expected ${expected}; nothing was uploaded`,
    );
  }
  const descriptor: Descriptor = {
    mediaType: options.mediaType ?? DEFAULT_BLOB_MEDIA_TYPE,
    digest,
    size,
  };
  await repository.pushBlob(descriptor, await openBlobFile(file), { signal: options.signal });
  return descriptor;
}

/** A file's bytes as a stream; a file that cannot be opened is `PATH_INVALID`. */
async function openBlobFile(file: string): Promise<ReadableStream<Uint8Array>> {
  try {
    return await readFileStream(file);
  } catch (error) {
    const code = errnoCode(error);
    if (code === undefined) throw error;
    throw new OciError('PATH_INVALID', `Cannot read "${file}" (${code})`, { cause: error });
  }
}

/**
 * Makes a blob of one repository present in another: a cross-repository
 * mount on one registry, else its bytes streamed over (through the upload
 * session a registry opens when it does not mount).
 *
 * @param source - the repository that has the blob
 * @param digest - the blob
 * @param destination - where it goes
 * @param options - `signal`
 * @returns {@link MountBlobResult}
 * @throws {OciError} `BLOB_UNKNOWN` at the source; `DENIED`; the registry's errors
 */
export async function mountOrCopyBlob(
  source: Repository,
  digest: string,
  destination: Repository,
  options: OperationOptions,
): Promise<MountBlobResult> {
  const { signal } = options;
  const descriptor = await source.statBlob(digest, { signal });
  if (source.registry === destination.registry) {
    const result = await destination.mountBlob(descriptor, source.name, { signal });
    if (result.mounted) return { descriptor, mounted: true };
    try {
      await destination.pushBlob(descriptor, await source.fetch(descriptor, { signal }), {
        signal,
        session: result.session,
      });
    } catch (error) {
      await result.session.cancel().catch(() => {});
      throw error;
    }
    return { descriptor, mounted: false };
  }
  await destination.pushBlob(descriptor, await source.fetch(descriptor, { signal }), { signal });
  return { descriptor, mounted: false };
}
