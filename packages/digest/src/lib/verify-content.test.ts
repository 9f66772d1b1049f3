import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { concatBytes, streamFromBytes } from './bytes.ts';
import { OciError } from './errors.ts';
import { hashCounter } from './hash-counter.testing.ts';
import { createHasher } from './hasher.ts';
import { streamFromVerifiedBytes } from './verified-bytes.ts';
import { createVerifyStream } from './verify.ts';
import { relayStream, verifyContent } from './verify-content.ts';

vi.mock('./hasher.ts', async (original) =>
  (await import('./hash-counter.testing.ts')).countingHasherModule(await original()),
);
afterEach(() => {
  hashCounter.bytes = 0;
});

const data = new Uint8Array(randomBytes(10_000));
const expected = {
  digest: `sha256:${createHash('sha256').update(data).digest('hex')}`,
  size: data.byteLength,
};

async function read(stream: ReadableStream<Uint8Array>): Promise<Uint8Array | OciError> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return concatBytes(chunks);
  } catch (error) {
    if (error instanceof OciError) return error;
    throw error;
  }
}

const verifying = (bytes: Uint8Array) =>
  streamFromBytes(bytes, 777).pipeThrough(createVerifyStream(expected));

describe('streamFromVerifiedBytes', () => {
  it('checks bytes in memory once, and verifyContent then only counts them', async () => {
    expect(await read(verifyContent(streamFromVerifiedBytes(data, expected), expected))).toEqual(
      data,
    );
    expect(hashCounter.bytes).toBe(data.byteLength);
  });

  it('refuses bytes of another size or digest, or a digest it cannot compute, before any stream', () => {
    const tampered = data.slice();
    tampered[5000] = (tampered[5000] ?? 0) ^ 1;
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof OciError ? error.code : error;
      }
      return 'no error';
    };
    expect([
      codeOf(() => streamFromVerifiedBytes(data.subarray(1), expected)),
      codeOf(() => streamFromVerifiedBytes(tampered, expected)),
      codeOf(() => streamFromVerifiedBytes(data, { digest: `md5:${'0'.repeat(32)}` })),
      codeOf(() => streamFromVerifiedBytes(data, { digest: 'sha256:nothex' })),
    ]).toEqual(['SIZE_MISMATCH', 'DIGEST_MISMATCH', 'DIGEST_UNSUPPORTED', 'DIGEST_INVALID']);
  });
});

describe('verifyContent', () => {
  it('hashes a stream that already verifies itself against the same content only once', async () => {
    expect(await read(verifyContent(verifying(data), expected))).toEqual(data);
    expect(hashCounter.bytes).toBe(data.byteLength);
  });

  it('passes the relay of a verifying stream on without a second hash, reporting each chunk', async () => {
    let seen = 0;
    const relayed = relayStream(verifying(data), {
      onChunk: (chunk) => (seen += chunk.byteLength),
    });
    expect(await read(verifyContent(relayed, expected))).toEqual(data);
    expect(seen).toBe(data.byteLength);
    expect(hashCounter.bytes).toBe(data.byteLength);
  });

  it('still fails with DIGEST_MISMATCH when the self-verifying source carries a tampered byte', async () => {
    const tampered = data.slice();
    tampered[5000] = (tampered[5000] ?? 0) ^ 1;
    let sourceError: unknown;
    const relayed = relayStream(verifying(tampered), { onError: (error) => (sourceError = error) });
    const result = await read(verifyContent(relayed, expected));
    expect(result).toBeInstanceOf(OciError);
    expect((result as OciError).code).toBe('DIGEST_MISMATCH');
    expect(sourceError).toBe(result);
  });

  it('hashes every other stream: plain bytes, another digest, a resumed verify, an unknown size', async () => {
    const other = { digest: `sha256:${'0'.repeat(64)}`, size: data.byteLength };
    const n = data.byteLength;
    const cases: [string, ReadableStream<Uint8Array>, string, number][] = [
      ['plain stream: hashed once here', streamFromBytes(data), 'ok', n],
      [
        'verifying another digest: hashed there and here',
        streamFromBytes(data).pipeThrough(createVerifyStream(other)),
        'DIGEST_MISMATCH',
        2 * n,
      ],
      [
        'verifying without a size: hashed there and here',
        streamFromBytes(data).pipeThrough(createVerifyStream({ digest: expected.digest })),
        'ok',
        2 * n,
      ],
    ];
    for (const [label, stream, outcome, bytes] of cases) {
      hashCounter.bytes = 0;
      const result = await read(verifyContent(stream, expected));
      expect(result instanceof OciError ? result.code : 'ok', label).toBe(outcome);
      expect(hashCounter.bytes, label).toBe(bytes);
    }
    const resumed = createHasher().update(data.subarray(0, 10));
    hashCounter.bytes = 0;
    const rest = streamFromBytes(data.subarray(10)).pipeThrough(
      createVerifyStream(expected, { resumeFrom: resumed }),
    );
    expect(await read(verifyContent(rest, expected))).toBeInstanceOf(OciError);
  });

  it('fails with SIZE_MISMATCH for a verifying stream read from before it was handed over', async () => {
    const stream = verifying(data);
    const reader = stream.getReader();
    await reader.read();
    reader.releaseLock();
    const result = await read(verifyContent(stream, expected));
    expect(result).toBeInstanceOf(OciError);
    expect((result as OciError).code).toBe('SIZE_MISMATCH');
  });
});
