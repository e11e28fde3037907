/**
 * Where the embedded Postgres's binaries and cluster go when it runs as the `postgres` user (we are
 * root) and that user cannot enter the folders we can: copied / placed where it can, or one line
 * saying what to do. As anyone else, Postgres runs as ourselves and every folder is used as given.
 * (`npm start` itself from such a folder: start-anywhere.e2e.test.ts.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freePort } from '../../client/stack/proc';
import { type Binaries, canEnter, clusterFolder, PostgresSetupError, postgresUser, reachableBinaries, type RootPaths, type RunAs, startEmbeddedPostgres } from '../../db/embedded-postgres';

const isRoot = process.getuid?.() === 0;

describe('the embedded Postgres in folders the postgres user cannot enter', () => {
  let tmp: string;
  let closed: string;
  let paths: RootPaths;
  let user: RunAs | undefined;
  const logged: string[] = [];

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-pgpaths-'));
    fs.chmodSync(tmp, 0o755);
    closed = path.join(tmp, 'home');
    fs.mkdirSync(closed, { mode: 0o700 });
    fs.chmodSync(closed, 0o700);
    paths = { binariesCache: path.join(tmp, 'cache'), clusters: path.join(tmp, 'clusters') };
    user = isRoot ? postgresUser() : undefined;
    logged.length = 0;
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('knows what the postgres user can enter (as root) — the question the rest depends on', () => {
    if (!user) return expect(isRoot).toBe(false);
    expect(canEnter(user, tmp)).toBe(true);
    expect(canEnter(user, closed)).toBe(false);
    fs.mkdirSync(path.join(closed, 'inner'), { mode: 0o755 });
    expect(canEnter(user, path.join(closed, 'inner'))).toBe(false); // open itself, but behind a closed folder
  });

  it('runs the binaries from a copy it can reach, made once, with every folder open', () => {
    const home = path.join(closed, 'node_modules', 'native');
    fs.mkdirSync(path.join(home, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(home, 'lib'), { mode: 0o700 });
    fs.writeFileSync(path.join(home, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o700 });
    fs.writeFileSync(path.join(home, 'lib', 'libpq.so.5.17'), 'x', { mode: 0o600 });
    fs.symlinkSync('libpq.so.5.17', path.join(home, 'lib', 'libpq.so'));
    const bins: Binaries = { version: '17.0-test', home, postgres: path.join(home, 'bin', 'postgres'), initdb: path.join(home, 'bin', 'initdb') };
    if (!user) return expect(isRoot).toBe(false);

    const copy = reachableBinaries(bins, user, paths, (l) => logged.push(l));
    const target = path.join(paths.binariesCache, `postgres-17.0-test-${process.platform}-${process.arch}`);
    expect(copy).toMatchObject({ home: target, postgres: path.join(target, 'bin', 'postgres') });
    expect(logged).toEqual([`the postgres user cannot reach ${home}: copying the Postgres binaries to ${target} (once)`]);
    expect(fs.statSync(path.join(target, 'lib')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(target, 'bin', 'postgres')).mode & 0o555).toBe(0o555);
    expect(fs.readlinkSync(path.join(target, 'lib', 'libpq.so'))).toBe('libpq.so.5.17');
    expect(canEnter(user, path.join(target, 'bin'))).toBe(true);
    // Once: a second start finds it.
    expect(reachableBinaries(bins, user, paths, (l) => logged.push(l)).home).toBe(target);
    expect(logged).toHaveLength(1);
    // Binaries it can reach already are used where they are.
    const open = { ...bins, home: target };
    expect(reachableBinaries(open, user, paths, () => undefined)).toBe(open);
  });

  it('places a new cluster where it can reach it, linked from the configured folder; the next start follows the link', () => {
    const dir = path.join(closed, 'selfeval', '.data', 'postgres');
    const first = clusterFolder(dir, user, paths, (l) => logged.push(l));
    if (!user) return expect(first).toBe(dir);
    expect(path.dirname(first)).toBe(paths.clusters);
    expect(path.basename(first)).toMatch(/^selfeval-[0-9a-f]{8}$/);
    expect(fs.readlinkSync(dir)).toBe(first);
    expect(logged).toEqual([`running as root, Postgres runs as the postgres user, who cannot reach ${path.dirname(dir)}: the cluster lives in ${first} (${dir} links to it)`]);
    expect(clusterFolder(dir, user, paths, () => undefined)).toBe(first);
    // A folder it can reach is used as given.
    const reachable = path.join(tmp, 'open', 'postgres');
    expect(clusterFolder(reachable, user, paths, () => undefined)).toBe(reachable);
  });

  it('stops with one line saying what to do when a cluster already exists where it cannot reach it', () => {
    const dir = path.join(closed, 'selfeval', '.data', 'postgres');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'PG_VERSION'), '17\n');
    if (!user) return expect(clusterFolder(dir, user, paths, () => undefined)).toBe(dir);
    let error: unknown;
    try {
      clusterFolder(dir, user, paths, () => undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PostgresSetupError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(`cannot reach the cluster in ${dir}`);
    expect(message).toContain('SELFEVAL_DATA_DIR=');
    expect(fs.existsSync(paths.clusters)).toBe(false); // nothing moved or created
  });

  it('starts again over a server left running by a launcher that was killed', async () => {
    const dir = path.join(tmp, 'orphaned', 'postgres');
    const port = await freePort();
    // A process that starts the server and is then SIGKILLed: its postmaster lives on.
    const script = `require('./db/embedded-postgres').startEmbeddedPostgres({ dir: ${JSON.stringify(dir)}, port: ${port}, ephemeral: true }).then(() => console.log('ready'))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const orphan = Number(fs.readFileSync(path.join(fs.realpathSync(dir), 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(() => process.kill(orphan, 0)).not.toThrow();

    const logged: string[] = [];
    const server = await startEmbeddedPostgres({ dir, port, ephemeral: true, onLog: (l) => logged.push(l) }).catch((e: unknown) => {
      process.kill(orphan, 'SIGQUIT'); // leave nothing running when the start fails
      throw e;
    });
    try {
      expect(logged).toContain(`a Postgres server (pid ${orphan}) was left running on ${server.clusterDir} by a process that died: stopping it first`);
      expect(() => process.kill(orphan, 0)).toThrow();
      const client = new pg.Client({ connectionString: server.url('postgres') });
      await client.connect();
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await server.stop();
    }
  });
});
