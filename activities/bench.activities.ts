/**
 * The no-op activity of the benchmark floors (workflows/bench/floor.workflow.ts,
 * workflows/campaign/bench-floor.workflow.ts). Called with a mark, it also counts it in this
 * process, so a benchmark can ask the worker (over its IPC channel, worker/main.ts) how many floor
 * tasks have done their first step — the point where a real section task has written its row.
 */
const marks = new Map<string, number>();

/** How many times each mark was passed to `benchNoop` in this process. */
export function benchMarks(): Record<string, number> {
  return Object.fromEntries(marks);
}

export function createBenchActivities() {
  return {
    async benchNoop(mark?: string): Promise<null> {
      if (mark) marks.set(mark, (marks.get(mark) ?? 0) + 1);
      return null;
    },
  };
}
