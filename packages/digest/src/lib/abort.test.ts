import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortError, delay } from './abort.ts';
import { OciError } from './errors.ts';

describe('delay', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves after the time has passed', async () => {
    vi.useFakeTimers();
    let done = false;
    const waiting = delay(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('fails with ABORTED at once when the signal has already fired', async () => {
    await expect(delay(1000, AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('fails with ABORTED while waiting, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const waiting = delay(10_000, controller.signal);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('abortError', () => {
  it('passes an OciError reason through and wraps anything else', () => {
    const reason = new OciError('TIMEOUT', 'Timed out after 5000 ms');
    expect(abortError(AbortSignal.abort(reason))).toBe(reason);
    const wrapped = abortError(AbortSignal.abort('why'));
    expect(wrapped.code).toBe('ABORTED');
    expect(wrapped.cause).toBe('why');
  });
});
