/**
 * A round of work repeated every `everyMs` in a worker process (the outbox relay, the stop
 * sweeper): rounds never overlap, a failing round is the round's own business (it logs and the
 * next one tries again), and `stop()` waits for the round in flight.
 */
export interface Periodic {
  /** Stops after the round in flight, if any. */
  stop(): Promise<void>;
}

export function startPeriodic(round: () => Promise<void>, everyMs: number, firstAfterMs = everyMs): Periodic {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const schedule = (afterMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = round().finally(() => schedule(everyMs));
    }, afterMs);
  };
  schedule(firstAfterMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
