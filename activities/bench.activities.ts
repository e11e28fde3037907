/** The no-op activity of the benchmark floor (workflows/bench/floor.workflow.ts). */
export function createBenchActivities() {
  return {
    async benchNoop(): Promise<null> {
      return null;
    },
  };
}
