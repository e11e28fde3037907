import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../activities/limit';

const tick = () => new Promise((r) => setImmediate(r));

describe('createLimiter', () => {
  it('lets at most `limit` run at once and the rest in arrival order', async () => {
    const limiter = createLimiter(2);
    const gates = new Map<number, () => void>();
    const started: number[] = [];
    let inside = 0;
    let most = 0;
    const job = (n: number) =>
      limiter.run(async () => {
        started.push(n);
        most = Math.max(most, ++inside);
        await new Promise<void>((r) => gates.set(n, r));
        inside--;
        return n * 10;
      });
    const results = [1, 2, 3, 4, 5].map(job);
    await tick();
    expect(started).toEqual([1, 2]);
    expect(limiter.waiting).toBe(3);
    gates.get(2)!();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    for (const n of [1, 3, 4, 5]) {
      await tick();
      gates.get(n)?.();
    }
    await tick();
    gates.get(5)?.();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('frees the place of a caller that throws', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.active).toBe(0);
    await expect(limiter.run(async () => 7)).resolves.toBe(7);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
    expect(() => createLimiter(1.5)).toThrow(RangeError);
  });
});
