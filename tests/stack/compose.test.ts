/**
 * docker-compose.yml is valid (checked by docker compose / docker-compose itself, which needs no
 * daemon for `config`) and wires the production topology: every selfeval service reaches the
 * same Postgres and Temporal, and runs an entry point that exists in the source tree; the worker
 * and the HTTP server get mail and the public URL; and every environment variable the code reads
 * is either set in compose or listed in README's configuration table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DYNAMIC_CONFIG_FILE } from '../../client/stack/dev-server';

const root = path.resolve(__dirname, '../..');

function composeConfig(): string {
  const file = path.join(root, 'docker-compose.yml');
  const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const args = ['-f', file, 'config'];
  if (plugin.status === 0) return execFileSync('docker', ['compose', ...args], { encoding: 'utf8', cwd: root });
  try {
    return execFileSync('docker-compose', args, { encoding: 'utf8', cwd: root });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('neither `docker compose` nor `docker-compose` is installed: apt-get install docker-compose (.ci/run does this)');
    }
    throw e;
  }
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  /** `docker compose` prints long-form mounts, Debian's `docker-compose` (v1) `source:target:mode` strings. */
  volumes?: Array<string | { source: string; target: string }>;
  depends_on?: Record<string, { condition: string }> | string[];
}

describe('docker-compose.yml', () => {
  const resolved = parse(composeConfig()) as { services: Record<string, Service> };

  it('has the production topology', () => {
    expect(Object.keys(resolved.services).sort()).toEqual(['http', 'migrate', 'postgres', 'temporal', 'temporal-ui', 'worker']);
    expect(resolved.services['temporal']?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(resolved.services['temporal']?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(resolved.services['temporal-ui']?.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
  });

  it("gives its Temporal server selfeval's dynamic config, the file the dev server gets", () => {
    const temporal = resolved.services['temporal']!;
    const mounts = (temporal.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v));
    const mount = mounts.find((v) => v.source === DYNAMIC_CONFIG_FILE);
    expect(mount, 'the dynamic-config file is mounted').toBeDefined();
    expect(mount!.target).toBe(path.posix.join('/etc/temporal', temporal.environment?.['DYNAMIC_CONFIG_FILE_PATH'] ?? '(unset)'));
  });

  it('wires every selfeval service to the same Postgres and Temporal, after migrations', () => {
    for (const name of ['migrate', 'worker', 'http']) {
      const env = resolved.services[name]?.environment ?? {};
      expect(env['DATABASE_URL'], name).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/selfeval$/);
      expect(env['TEMPORAL_ADDRESS'], name).toBe('temporal:7233');
      expect(resolved.services[name]?.build, name).toBeDefined();
    }
    for (const name of ['worker', 'http']) {
      expect(resolved.services[name]?.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    }
    expect(resolved.services['http']?.environment?.['HTTP_HOST']).toBe('0.0.0.0');
  });

  it('runs entry points that exist (dist/x.js is built from x.ts)', () => {
    for (const name of ['migrate', 'worker', 'http']) {
      const script = resolved.services[name]?.command?.find((a) => a.startsWith('dist/'));
      expect(script, name).toBeDefined();
      const source = path.join(root, script!.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
      expect(fs.existsSync(source), source).toBe(true);
    }
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm run build');
  });
});

/** The environment variables the product's code reads: domain/config.ts's schema, and every `env['X']` / `process.env.X`. */
function variablesTheCodeReads(): Map<string, string> {
  const found = new Map<string, string>();
  const config = fs.readFileSync(path.join(root, 'domain/config.ts'), 'utf8');
  const schema = config.slice(config.indexOf('const envSchema'), config.indexOf('});', config.indexOf('const envSchema')));
  for (const m of schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)) found.set(m[1]!, 'domain/config.ts');
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []));
  for (const dir of ['domain', 'db', 'activities', 'workflows', 'worker', 'client']) {
    for (const file of walk(path.join(root, dir))) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\benv(?:\[['"]([A-Z][A-Z0-9_]+)['"]\]|\.([A-Z][A-Z0-9_]+)\b)/g)) found.set(m[1] ?? m[2]!, path.relative(root, file));
    }
  }
  // The operating system's own search path is nobody's configuration.
  found.delete('PATH');
  return found;
}

/** Names in the first column of README's configuration table. */
function readmeConfigurationTable(): Set<string> {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  const names = new Set<string>();
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) for (const m of line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(m[1]!);
  return names;
}

describe('environment variables', () => {
  const resolved = parse(composeConfig()) as { services: Record<string, Service> };

  it('gives the worker and the HTTP server mail and the public URL', () => {
    for (const name of ['worker', 'http']) {
      const env = resolved.services[name]?.environment ?? {};
      expect(Object.keys(env), name).toEqual(expect.arrayContaining(['SMTP_URL', 'MAIL_FROM', 'SELFEVAL_PUBLIC_URL']));
      expect(env['SELFEVAL_PUBLIC_URL'], name).toMatch(/^https?:\/\//);
    }
  });

  it('sets or documents every variable the code reads', () => {
    const reads = variablesTheCodeReads();
    // The scan finds what it must (a scan that found nothing would pass anything).
    expect([...reads.keys()]).toEqual(expect.arrayContaining(['DATABASE_URL', 'SMTP_URL', 'SELFEVAL_PUBLIC_URL', 'SELFEVAL_WORKFLOW_BUNDLE', 'SELFEVAL_TOKEN']));
    const inCompose = new Set(['migrate', 'worker', 'http'].flatMap((s) => Object.keys(resolved.services[s]?.environment ?? {})));
    const documented = readmeConfigurationTable();
    const missing = [...reads].filter(([name]) => !inCompose.has(name) && !documented.has(name)).map(([name, file]) => `${name} (read in ${file})`);
    expect(missing, 'set these in docker-compose.yml or add them to README.md → Configuration').toEqual([]);
    // Every documented variable is one the code reads (a stale row misleads as much as a missing one); the tests' own is read in tests/.
    const stale = [...documented].filter((name) => !reads.has(name) && name !== 'TEST_DATABASE_URL');
    expect(stale, 'README lists variables nothing reads').toEqual([]);
  });
});
