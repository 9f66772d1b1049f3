import { abortError } from './abort.ts';
import { CANONICAL_ALGORITHM, type Digest, parseDigest } from './digest.ts';
import { OciError } from './errors.ts';
import { assertSupportedAlgorithm, createHasher, type Hasher } from './hasher.ts';
import { markSelfVerifying } from './self-verifying.ts';

/** What content must be: its digest and, when known, its exact size. */
export interface ExpectedContent {
  /** The digest the bytes must hash to. */
  readonly digest: string;
  /** The exact number of bytes, when known (a descriptor's `size`). */
  readonly size?: number;
}

/** Options of {@link createVerifyStream}. */
export interface VerifyStreamOptions {
  /**
   * The most bytes to let through when `size` is unknown; more is `SIZE_EXCEEDED`.
   * @default Infinity
   */
  maxSize?: number;
  /**
   * Continue from a hasher that already took in the first bytes of the
   * content (a resumed download or write): its bytes count toward the size,
   * and the digest covers them too. Its algorithm must be the digest's.
   */
  resumeFrom?: Hasher;
}

/**
 * A pass-through stream that hashes and counts the bytes flowing through it
 * and fails the stream unless they match `expected`: `SIZE_EXCEEDED` as soon
 * as one byte too many arrives (that chunk is not passed on), `SIZE_MISMATCH`
 * when the body ends short, `DIGEST_MISMATCH` at the end when the hash
 * differs. A consumer commits what it read only after the stream closed
 * without error. Its readable side is known to {@link verifyContent} as
 * verified (when `size` is given and `resumeFrom` is not), so a store it is
 * pushed into does not hash the bytes a second time.
 *
 * @param expected - the digest and (optionally) size the content must have
 * @param options - {@link VerifyStreamOptions}
 * @returns a `TransformStream` of the same bytes
 * @throws {OciError} `DIGEST_INVALID` or `DIGEST_UNSUPPORTED` at once when the
 *   expected digest is malformed or cannot be computed here
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 */
export function createVerifyStream(
  expected: ExpectedContent,
  options: VerifyStreamOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const { digest, algorithm } = parseDigest(expected.digest);
  const hasher = options.resumeFrom ?? createHasher(assertSupportedAlgorithm(algorithm));
  if (hasher.algorithm !== algorithm) {
    throw new OciError(
      'OPTION_INVALID',
      `Cannot resume a ${hasher.algorithm} hash to verify ${digest}`,
    );
  }
  const limit = expected.size ?? options.maxSize ?? Number.POSITIVE_INFINITY;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (hasher.size + chunk.byteLength > limit) {
        const declared = expected.size === undefined ? 'the limit of' : 'its declared';
        throw new OciError(
          'SIZE_EXCEEDED',
          `Content of ${digest} is over ${declared} ${limit} bytes (got at least ${hasher.size + chunk.byteLength})`,
        );
      }
      hasher.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      if (expected.size !== undefined && hasher.size !== expected.size) {
        throw new OciError(
          'SIZE_MISMATCH',
          `Content of ${digest} ended after ${hasher.size} of ${expected.size} bytes`,
        );
      }
      const actual = hasher.digest();
      if (actual !== digest) {
        throw new OciError(
          'DIGEST_MISMATCH',
          `Content does not match ${digest}: it hashes to ${actual}`,
        );
      }
    },
  });
  const whole = options.resumeFrom === undefined && expected.size !== undefined;
  markSelfVerifying(stream.readable, whole ? { digest, size: expected.size as number } : undefined);
  return stream;
}

/** The digest and size of content that was hashed. */
export interface DigestResult {
  /** The digest of the bytes. */
  readonly digest: Digest;
  /** The number of bytes. */
  readonly size: number;
}

/**
 * A pass-through stream that hashes what flows through it; read
 * {@link HashingStream.result} once the stream has closed. Use it to learn
 * the digest of content while it is written somewhere.
 */
export class HashingStream extends TransformStream<Uint8Array, Uint8Array> {
  readonly #hasher: Hasher;
  readonly #state: { closed: boolean };

  /**
   * @param algorithm - `sha256` by default
   * @throws {OciError} `DIGEST_UNSUPPORTED` for an algorithm that cannot be computed
   */
  constructor(algorithm: string = CANONICAL_ALGORITHM) {
    const hasher = createHasher(algorithm);
    const state = { closed: false };
    super({
      transform(chunk, controller) {
        hasher.update(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        state.closed = true;
      },
    });
    this.#hasher = hasher;
    this.#state = state;
  }

  /**
   * The digest and size of everything that passed through.
   * @throws {OciError} `OPTION_INVALID` before the stream has closed
   */
  get result(): DigestResult {
    if (!this.#state.closed) {
      throw new OciError('OPTION_INVALID', 'The digest is known only after the stream has closed');
    }
    return { digest: this.#hasher.digest(), size: this.#hasher.size };
  }
}

/** Options of {@link digestStream}. */
export interface DigestStreamOptions {
  /**
   * The algorithm to use.
   * @default 'sha256'
   */
  algorithm?: string;
  /** Cancels the read; the stream is cancelled too. */
  signal?: AbortSignal;
}

/**
 * Reads a stream to its end and returns its digest and size, holding no more
 * than one chunk in memory.
 *
 * @param stream - the content
 * @param options - {@link DigestStreamOptions}
 * @returns the digest and the byte count
 * @throws {OciError} `ABORTED` when the signal fires; `DIGEST_UNSUPPORTED`
 */
export async function digestStream(
  stream: ReadableStream<Uint8Array>,
  options: DigestStreamOptions = {},
): Promise<DigestResult> {
  const hasher = createHasher(options.algorithm);
  await consumeStream(stream, (chunk) => hasher.update(chunk), options.signal);
  return { digest: hasher.digest(), size: hasher.size };
}

/**
 * Reads a stream to its end, handing each chunk to `onChunk`, and cancels the
 * stream when the signal fires or `onChunk` throws. The stream stays locked
 * (it is ended or cancelled): Node's first `releaseLock()` in a process
 * builds a `vm` context for its error message, about 1.5 ms.
 *
 * @param stream - the stream to drain
 * @param onChunk - called with every chunk, in order
 * @param signal - cancels the read
 * @throws {OciError} `ABORTED` when the signal fires; whatever `onChunk` throws
 */
export async function consumeStream(
  stream: ReadableStream<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void,
  signal?: AbortSignal,
): Promise<void> {
  const reader = stream.getReader();
  const onAbort = () => {
    reader.cancel(abortError(signal)).catch(() => {});
  };
  try {
    if (signal?.aborted) throw abortError(signal);
    signal?.addEventListener('abort', onAbort, { once: true });
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortError(signal);
      if (done) return;
      onChunk(value);
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
