import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter.ts';

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('Limiter', () => {
  it('runs at most its limit at once, in order, and hands slots on', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 5 }, gate);
    const tasks = gates.map((gate, i) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(i);
        await gate.promise;
        running -= 1;
      }),
    );
    for (const gate of gates) {
      await Promise.resolve();
      gate.resolve();
    }
    await Promise.all(tasks);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('fails a waiting task with ABORTED when its signal fires, and keeps the slot count right', async () => {
    const limiter = new Limiter(1);
    const hold = gate();
    const first = limiter.run(() => hold.promise);
    const controller = new AbortController();
    const waiting = limiter.run(async () => 'ran', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(limiter.run(async () => 'x', AbortSignal.abort())).rejects.toMatchObject({
      code: 'ABORTED',
    });
    hold.resolve();
    await first;
    expect(await limiter.run(async () => 'after')).toBe('after');
  });
});
