import { OciError, streamFromBytes } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { trackBody } from './tracked-body.ts';

describe('trackBody', () => {
  it('passes the content through and records nothing on success', async () => {
    const body = trackBody(streamFromBytes(new Uint8Array([1, 2, 3]), 1));
    const out = new Uint8Array(await new Response(body.stream).arrayBuffer());
    expect([...out]).toEqual([1, 2, 3]);
    expect(body.failure()).toBeUndefined();
    await body.release();
  });

  it('records the error the source failed with', async () => {
    const error = new OciError('DIGEST_MISMATCH', 'wrong');
    const body = trackBody(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(1));
          controller.error(error);
        },
      }),
    );
    await expect(new Response(body.stream).arrayBuffer()).rejects.toBe(error);
    expect(body.failure()).toBe(error);
  });

  it('cancels the source on release even while the wrapper is locked', async () => {
    let reason: unknown;
    const body = trackBody(
      new ReadableStream({
        pull: (controller) => controller.enqueue(new Uint8Array(1)),
        cancel: (why) => {
          reason = why;
        },
      }),
    );
    const reader = body.stream.getReader();
    await reader.read();
    await body.release('stop');
    await body.release('twice');
    expect(reason).toBe('stop');
  });
});
