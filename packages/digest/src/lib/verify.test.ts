import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { streamFromBytes } from './bytes.ts';
import { OciError } from './errors.ts';
import { createHasher } from './hasher.ts';
import { createVerifyStream, digestStream, HashingStream } from './verify.ts';

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Reads a stream to the end and returns its chunks, or the error it failed with. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[] | OciError> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  } catch (error) {
    if (error instanceof OciError) return error;
    throw error;
  }
}

function total(chunks: Uint8Array[] | OciError): number {
  if (chunks instanceof OciError) throw chunks;
  return chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
}

describe('createVerifyStream', () => {
  const data = randomBytes(200);
  const digest = sha256(data);

  it('passes matching content through unchanged at every chunk size', async () => {
    for (let chunkSize = 1; chunkSize <= data.byteLength; chunkSize += 1) {
      const out = await drain(
        streamFromBytes(data, chunkSize).pipeThrough(createVerifyStream({ digest, size: 200 })),
      );
      expect(total(out), `chunk ${chunkSize}`).toBe(200);
    }
  });

  it('verifies views at a non-zero byteOffset', async () => {
    const padded = new Uint8Array(data.byteLength + 13);
    padded.set(data, 13);
    const out = await drain(
      streamFromBytes(padded.subarray(13), 7).pipeThrough(createVerifyStream({ digest })),
    );
    expect(total(out)).toBe(200);
  });

  it('fails on every kind of bad content with its own code', async () => {
    const flipped = Uint8Array.from(data);
    flipped[100] = (flipped[100] ?? 0) ^ 1;
    const cases: [label: string, body: Uint8Array, size: number | undefined, code: string][] = [
      ['one bit flipped', flipped, 200, 'DIGEST_MISMATCH'],
      ['one byte too many', Uint8Array.of(...data, 0), 200, 'SIZE_EXCEEDED'],
      ['truncated', data.subarray(0, 199), 200, 'SIZE_MISMATCH'],
      ['empty', new Uint8Array(0), 200, 'SIZE_MISMATCH'],
      ['size unknown, wrong content', flipped, undefined, 'DIGEST_MISMATCH'],
    ];
    for (const [label, body, size, code] of cases) {
      for (const chunkSize of [1, 64, 1000]) {
        const expected = size === undefined ? { digest } : { digest, size };
        const out = await drain(
          streamFromBytes(body, chunkSize).pipeThrough(createVerifyStream(expected)),
        );
        expect(out, `${label}, chunk ${chunkSize}`).toBeInstanceOf(OciError);
        expect((out as OciError).code, `${label}, chunk ${chunkSize}`).toBe(code);
      }
    }
  });

  it('never passes on a byte beyond the declared size', async () => {
    const body = Uint8Array.of(...data, 1, 2, 3);
    const reader = streamFromBytes(body, 64)
      .pipeThrough(createVerifyStream({ digest, size: 200 }))
      .getReader();
    let passed = 0;
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          passed += value.byteLength;
        }
      })(),
    ).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' });
    expect(passed).toBeLessThanOrEqual(200);
  });

  it('bounds content of unknown size with maxSize', async () => {
    const out = await drain(
      streamFromBytes(data, 50).pipeThrough(createVerifyStream({ digest }, { maxSize: 120 })),
    );
    expect((out as OciError).code).toBe('SIZE_EXCEEDED');
    expect((out as OciError).message).toContain('120');
  });

  it('rejects an expected digest it cannot check, before any byte flows', () => {
    expect(() => createVerifyStream({ digest: 'sha256:abc' })).toThrow(
      expect.objectContaining({ code: 'DIGEST_INVALID' }),
    );
    expect(() => createVerifyStream({ digest: 'blake3:abc' })).toThrow(
      expect.objectContaining({ code: 'DIGEST_UNSUPPORTED' }),
    );
  });
});

describe('HashingStream', () => {
  it('reports the digest and size once the stream has closed', async () => {
    const data = randomBytes(1000);
    const hashing = new HashingStream();
    const reader = streamFromBytes(data, 33).pipeThrough(hashing).getReader();
    expect(() => hashing.result).toThrow(expect.objectContaining({ code: 'OPTION_INVALID' }));
    while (!(await reader.read()).done);
    expect(hashing.result).toEqual({ digest: sha256(data), size: 1000 });
  });
});

describe('digestStream', () => {
  it('hashes a stream with the chosen algorithm', async () => {
    const data = randomBytes(5000);
    expect(await digestStream(streamFromBytes(data, 999))).toEqual({
      digest: sha256(data),
      size: 5000,
    });
    const sha512 = await digestStream(streamFromBytes(data), { algorithm: 'sha512' });
    expect(sha512.digest).toBe(`sha512:${createHash('sha512').update(data).digest('hex')}`);
  });

  it('fails with ABORTED and cancels the source when aborted before it starts', async () => {
    const cancel = vi.fn();
    const source = new ReadableStream<Uint8Array>({ cancel });
    const controller = new AbortController();
    controller.abort();
    await expect(digestStream(source, { signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(cancel).toHaveBeenCalled();
  });

  it('fails with ABORTED and cancels the source when aborted while waiting for data', async () => {
    const cancel = vi.fn();
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(10));
      },
      cancel,
    });
    const controller = new AbortController();
    const pending = digestStream(source, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 0));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(cancel).toHaveBeenCalled();
  });

  it('passes on the error of a source that fails midway', async () => {
    const failure = new Error('connection reset');
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(10));
        controller.error(failure);
      },
    });
    await expect(digestStream(source)).rejects.toBe(failure);
  });
});

describe('createVerifyStream resuming', () => {
  it('verifies the rest of content whose first bytes a hasher already took in, at every split', async () => {
    const data = randomBytes(100);
    const digest = sha256(data);
    for (let split = 0; split <= 100; split += 1) {
      const resumeFrom = createHasher().update(data.subarray(0, split));
      const out = await drain(
        streamFromBytes(data.subarray(split), 9).pipeThrough(
          createVerifyStream({ digest, size: 100 }, { resumeFrom }),
        ),
      );
      expect(total(out), `split ${split}`).toBe(100 - split);
    }
  });

  it('still catches wrong, short and long content after a resume', async () => {
    const data = randomBytes(100);
    const digest = sha256(data);
    const cases: [label: string, rest: Uint8Array, code: string][] = [
      ['wrong rest', randomBytes(60), 'DIGEST_MISMATCH'],
      ['short rest', data.subarray(40, 99), 'SIZE_MISMATCH'],
      ['long rest', Uint8Array.of(...data.subarray(40), 1), 'SIZE_EXCEEDED'],
    ];
    for (const [label, rest, code] of cases) {
      const resumeFrom = createHasher().update(data.subarray(0, 40));
      const out = await drain(
        streamFromBytes(rest).pipeThrough(
          createVerifyStream({ digest, size: 100 }, { resumeFrom }),
        ),
      );
      expect((out as OciError).code, label).toBe(code);
    }
    expect(() => createVerifyStream({ digest }, { resumeFrom: createHasher('sha512') })).toThrow(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
  });
});
