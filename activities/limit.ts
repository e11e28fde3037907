/**
 * At most `limit` callers inside at once; the rest wait their turn, first come first served.
 * Rendering a report is CPU-bound and holds its document, fonts' glyph runs and output buffers
 * in memory: a worker that rendered every report it was handed at once (up to its activity
 * slots) would only multiply its peak memory, not its throughput.
 */
export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Callers inside now, and waiting. */
  readonly active: number;
  readonly waiting: number;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (active < limit) active++;
      else await new Promise<void>((resolve) => queue.push(resolve)); // the releaser hands its place over
      try {
        return await fn();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
