import { createCipheriv, createHash } from 'node:crypto';
import { createHasher } from '@ocikit/digest';
import { createTarPacker } from 'modern-tar';
import type { TestBlob, TestLayer } from './blob.ts';
import { MediaType } from './media-types.ts';

const CHUNK = 256 * 1024;
const TAR_OVERHEAD = 512 + 1024;

/**
 * A stream of `size` pseudo-random bytes: the AES-256-CTR keystream of a key
 * derived from `seed`, so the same seed gives the same bytes, at memory speed.
 */
function randomStream(size: number, seed: string): ReadableStream<Uint8Array> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = new Uint8Array(CHUNK);
  let left = size;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (left === 0) {
          controller.close();
          return;
        }
        const length = Math.min(CHUNK, left);
        controller.enqueue(new Uint8Array(cipher.update(zeros.subarray(0, length))));
        left -= length;
      },
    },
    { highWaterMark: 0 },
  );
}

async function digestOf(stream: ReadableStream<Uint8Array>) {
  const hasher = createHasher();
  for await (const chunk of stream) hasher.update(chunk);
  return { digest: hasher.digest(), size: hasher.size };
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new Error(`Invalid size ${size}: expected a non-negative integer`);
  }
}

/** Options of {@link randomBlob} and {@link randomLayer}. */
export interface RandomOptions {
  /** The size in bytes ({@link randomLayer} rounds it up, see there). */
  size: number;
  /**
   * Picks the content: the same seed gives the same bytes.
   * @default String(size)
   */
  seed?: string;
}

/**
 * A blob of exactly `size` deterministic pseudo-random bytes, streamed and
 * never held in memory: its digest is computed by one streaming pass here,
 * and every `stream()` generates the bytes again.
 *
 * @param options - {@link RandomOptions}, plus `mediaType`
 *   (default `application/octet-stream`)
 * @returns the blob (without `bytes`)
 * @throws {Error} for a negative or non-integer size
 */
export async function randomBlob(
  options: RandomOptions & { mediaType?: string },
): Promise<TestBlob> {
  checkSize(options.size);
  const seed = options.seed ?? String(options.size);
  const stream = () => randomStream(options.size, seed);
  const { digest } = await digestOf(stream());
  return {
    mediaType: options.mediaType ?? 'application/octet-stream',
    digest,
    size: options.size,
    stream,
  };
}

/**
 * An uncompressed layer with one file of pseudo-random content (`random.bin`,
 * mode 0644, mtime 0), streamed and never held in memory. The tar is `size`
 * rounded up to a multiple of 512 and to at least 1536 bytes (one header and
 * the end-of-archive blocks); random data does not compress, so there is no
 * gzip variant.
 *
 * @param options - {@link RandomOptions}
 * @returns the layer (without `bytes`)
 * @throws {Error} for a negative or non-integer size
 */
export async function randomLayer(options: RandomOptions): Promise<TestLayer> {
  checkSize(options.size);
  const total = Math.max(TAR_OVERHEAD, Math.ceil(options.size / 512) * 512);
  const fileSize = total - TAR_OVERHEAD;
  const seed = options.seed ?? String(options.size);
  const stream = () => {
    const { readable, controller } = createTarPacker();
    const body = controller.add({
      name: 'random.bin',
      size: fileSize,
      mode: 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
    });
    randomStream(fileSize, seed)
      .pipeTo(body)
      .then(() => controller.finalize())
      .catch(() => {
        // the tar stream is errored with the same reason
      });
    return readable;
  };
  const { digest, size } = await digestOf(stream());
  if (size !== total) throw new Error(`Random layer is ${size} bytes, expected ${total}`);
  return {
    mediaType: MediaType.ociLayer,
    digest,
    size,
    diffId: digest,
    compressed: false,
    stream,
  };
}
