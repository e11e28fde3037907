/** The Temporal server settings file and the dev-server arguments made from it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devServerArgs, devServerDynamicConfigArgs, dynamicConfig } from '../../client/stack/dev-server';

function pairs(args: string[]): string[] {
  expect(args.filter((_, i) => i % 2 === 0).every((a) => a === '--dynamic-config-value')).toBe(true);
  return args.filter((_, i) => i % 2 === 1);
}

describe('Temporal dynamic config', () => {
  it('gives the dev server each setting of the file as key=<JSON value>', () => {
    const values = pairs(devServerDynamicConfigArgs());
    expect(values).toEqual(expect.arrayContaining([
      'system.enableActivityEagerExecution=true',
      'matching.numTaskqueueReadPartitions=1',
      'matching.numTaskqueueWritePartitions=1',
      'frontend.enableUpdateWorkflowExecution=true',
    ]));
    expect(values).toHaveLength(Object.keys(dynamicConfig()).length);
  });

  it('starts every dev server with them, headless unless given a UI port', () => {
    const headless = devServerArgs({ port: 7999 });
    expect(headless.slice(0, 3)).toEqual(['server', 'start-dev', '--headless']);
    expect(headless.join(' ')).toContain(devServerDynamicConfigArgs().join(' '));
    expect(headless).not.toContain('--db-filename');
    const full = devServerArgs({ port: 7999, uiPort: 8999, dbFilename: '/x/t.sqlite', namespace: 'n', logLevel: 'warn' }).join(' ');
    expect(full).toContain('--ui-port 8999 --ip 127.0.0.1 --port 7999 --db-filename /x/t.sqlite --namespace n --log-level warn');
    expect(full).not.toContain('--headless');
  });

  it('refuses an entry it cannot pass on (constraints, several values, no value)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-dynconf-'));
    try {
      const file = path.join(dir, 'c.yaml');
      const write = (text: string) => fs.writeFileSync(file, text);
      write('a.b:\n  - value: "x y"\n    \nc.d:\n  - value: 3\n');
      expect(pairs(devServerDynamicConfigArgs(file))).toEqual(['a.b="x y"', 'c.d=3']);
      write('a.b:\n  - value: 1\n    constraints: { namespace: default }\n');
      expect(() => dynamicConfig(file)).toThrow(/a\.b must be a list of one/);
      write('a.b:\n  - value: 1\n  - value: 2\n');
      expect(() => dynamicConfig(file)).toThrow(/a\.b/);
      write('a.b: 1\n');
      expect(() => dynamicConfig(file)).toThrow(/a\.b/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
