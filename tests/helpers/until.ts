/**
 * Polls `probe` until `ok` holds for its answer (a probe that throws counts as not yet), for up to
 * `timeoutMs` of wall time; then fails with what it waited for and the last answer. For the
 * integration tests' waits on workflows and the rows their activities write.
 */
export async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
