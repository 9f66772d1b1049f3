import { abortError, OciError, parseDigest, verifyContent } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import { headBlob } from './blobs-get.ts';
import { checkInteger, type RepositoryContext } from './options.ts';
import { bodyError } from './response.ts';
import { startUpload, type Upload, type UploadSession } from './upload-session.ts';

/** The largest chunk buffer an upload holds, whatever the registry's minimum. */
const MAX_CHUNK_SIZE = 256 * 1024 * 1024;

/** How many times one chunk is recovered from the registry's status after a failed `PATCH`. */
const CHUNK_RECOVERIES = 2;

/** Options of {@link pushBlob}. */
export interface UploadOptions {
  /** Cancels the upload. */
  signal?: AbortSignal | undefined;
  /**
   * The chunk buffer (see {@link RepositoryOptions.chunkSize}).
   * @default the repository's `chunkSize`
   */
  chunkSize?: number | undefined;
  /**
   * Send the content in one streamed `PUT` (see {@link RepositoryOptions.streamUploads}).
   * @default the repository's `streamUploads`
   */
  streamed?: boolean | undefined;
  /**
   * Continue this session; the content then holds the bytes from
   * `session.offset` on, and only their size is checked here (the registry
   * checks the whole digest). The session is left open when the push fails,
   * to be resumed.
   * @default a new session, cancelled when the push fails
   */
  session?: Upload | undefined;
  /**
   * Called after each `PATCH` chunk the registry took, with the session (its
   * `location` and `offset` are then where a later resume continues from);
   * awaited before the next chunk is sent. Only chunked (not streamed)
   * uploads append chunks.
   */
  onAppend?: ((session: UploadSession) => void | Promise<void>) | undefined;
}

/**
 * Uploads a blob without holding more of it than one chunk buffer: a new
 * session (`POST`), then the content read into a buffer of `chunkSize`
 * bytes; each full buffer that is not the end is sent with `PATCH`
 * (`Content-Range`), and the last one in the closing `PUT ?digest=`. A blob
 * that fits one buffer is one `POST` and one `PUT`. Every request carries
 * bytes, so the transport repeats it after 5xx, 429 and network errors;
 * after a failed `PATCH` the session's status says how much arrived and the
 * rest of the chunk is sent. With `streamed` (by default for blobs larger
 * than a chunk), the content goes instead in one `PUT` as a stream with
 * `Content-Length`, which cannot be repeated.
 *
 * The content is verified while it is read (digest and size), and the end
 * of the blob is sent only after the whole has checked out: wrong content
 * fails the push and the registry commits nothing. When the closing `PUT`
 * fails but the registry has the blob (the answer was lost), the push succeeds.
 *
 * @param context - the repository
 * @param descriptor - digest and size of the content
 * @param content - the bytes (from `session.offset` on when a session is given); consumed or cancelled in every case
 * @param options - {@link UploadOptions}
 * @throws {OciError} `DIGEST_MISMATCH`, `SIZE_MISMATCH`, `SIZE_EXCEEDED` for
 *   content that does not match; the registry's `DIGEST_INVALID`,
 *   `BLOB_UPLOAD_INVALID`, `DENIED`; `ABORTED`; the content's own error
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 */
export async function pushBlob(
  context: RepositoryContext,
  descriptor: Descriptor,
  content: ReadableStream<Uint8Array>,
  options: UploadOptions = {},
): Promise<void> {
  const { signal } = options;
  let checked: ReadableStream<Uint8Array> = content;
  try {
    const { algorithm } = parseDigest(descriptor.digest);
    if (options.chunkSize !== undefined) checkInteger('chunkSize', options.chunkSize, 1);
    if (signal?.aborted) throw abortError(signal);
    const session = options.session ?? (await startUpload(context, { algorithm, signal }));
    try {
      const offset = session.offset;
      if (offset > descriptor.size) {
        throw new OciError(
          'BLOB_UPLOAD_INVALID',
          `The upload session holds ${offset} bytes, more than the ${descriptor.size} of ${descriptor.digest}`,
        );
      }
      checked =
        offset === 0
          ? verifyContent(content, descriptor)
          : content.pipeThrough(exactSize(descriptor.size - offset));
      const chunkSize = Math.min(
        Math.max(options.chunkSize ?? context.settings.chunkSize, session.minChunkSize ?? 0),
        MAX_CHUNK_SIZE,
      );
      const remaining = descriptor.size - offset;
      if (options.streamed ?? (context.settings.streamUploads && remaining > chunkSize)) {
        await session.put(descriptor.digest, checked.pipeThrough(holdLastChunk()), {
          signal,
          length: remaining,
        });
      } else {
        await sendBuffered(context, session, descriptor, checked, chunkSize, {
          signal,
          onAppend: options.onAppend,
        });
      }
    } catch (error) {
      if (options.session === undefined) await session.cancel().catch(() => {});
      throw error;
    }
  } finally {
    await checked.cancel().catch(() => {});
  }
}

/**
 * Reads the content into one reused buffer of `chunkSize` bytes: `PATCH`es
 * each full buffer that does not end the blob, and closes the session with
 * the last bytes once the content has ended (and so passed its checks).
 */
async function sendBuffered(
  context: RepositoryContext,
  session: Upload,
  descriptor: Descriptor,
  content: ReadableStream<Uint8Array>,
  chunkSize: number,
  options: Pick<UploadOptions, 'signal' | 'onAppend'>,
): Promise<void> {
  const { signal, onAppend } = options;
  const buffer = new Uint8Array(Math.min(chunkSize, descriptor.size - session.offset));
  const reader = content.getReader();
  let filled = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        throw bodyError(error, 'the content of the upload', signal);
      }
      if (result.done) break;
      let chunk = result.value;
      while (chunk.byteLength > 0) {
        if (filled === buffer.byteLength) {
          await appendChunk(session, buffer, signal);
          await onAppend?.(session);
          filled = 0;
        }
        const take = Math.min(chunk.byteLength, buffer.byteLength - filled);
        buffer.set(chunk.subarray(0, take), filled);
        filled += take;
        chunk = chunk.subarray(take);
      }
    }
  } finally {
    reader.releaseLock();
  }
  try {
    await session.put(descriptor.digest, buffer.subarray(0, filled), { signal });
  } catch (error) {
    if (signal?.aborted || !(error instanceof OciError)) throw error;
    const stored = await headBlob(context, descriptor.digest, signal).catch(() => undefined);
    if (stored?.size !== descriptor.size) throw error;
  }
}

/**
 * Appends one chunk; when that fails, asks the session how much arrived
 * and sends the rest of the chunk (a few times at most).
 */
async function appendChunk(
  session: Upload,
  chunk: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<void> {
  const start = session.offset;
  const end = start + chunk.byteLength;
  for (let recoveries = 0; ; recoveries += 1) {
    const from = session.offset - start;
    try {
      await session.append(chunk.subarray(from), { signal });
      return;
    } catch (error) {
      if (signal?.aborted || recoveries >= CHUNK_RECOVERIES) throw error;
      let offset: number;
      try {
        offset = await session.status({ signal });
      } catch {
        throw error;
      }
      if (offset === end) return;
      if (offset < start || offset > end) throw error;
    }
  }
}

/**
 * A pass-through stream that holds back the latest chunk until the next one
 * arrives, and the last one until the content has ended and passed its
 * checks. A streamed `PUT` announces its `Content-Length`, so the registry
 * commits as soon as that many bytes arrived: content with extra bytes
 * would be accepted before the verifier sees the extra. Held back, the
 * final bytes go out only once the whole content is known to be right.
 */
function holdLastChunk(): TransformStream<Uint8Array, Uint8Array> {
  let held: Uint8Array | undefined;
  return new TransformStream({
    transform(chunk, controller) {
      if (held !== undefined) controller.enqueue(held);
      held = chunk;
    },
    flush(controller) {
      if (held !== undefined) controller.enqueue(held);
    },
  });
}

/**
 * A pass-through stream that lets exactly `size` bytes through: the rest of
 * a resumed upload, whose digest only the registry can check.
 */
function exactSize(size: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > size) {
        throw new OciError(
          'SIZE_EXCEEDED',
          `The rest of the upload is over its ${size} bytes (got at least ${seen})`,
        );
      }
      controller.enqueue(chunk);
    },
    flush() {
      if (seen !== size) {
        throw new OciError(
          'SIZE_MISMATCH',
          `The rest of the upload ended after ${seen} of ${size} bytes`,
        );
      }
    },
  });
}
