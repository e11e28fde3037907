import { describe, expect, it } from 'vitest';
import { databaseUrlOf, parseConfig, redactUrl } from './config';
import { AppError } from './errors';

const host = { cwd: '/srv/selfeval', homeDir: '/home/fin' };

function configError(env: Record<string, string>): AppError {
  try {
    parseConfig(env, host);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a configuration error');
}

describe('parseConfig', () => {
  it('defaults to the embedded stack under ./.data and the per-user cache', () => {
    const c = parseConfig({}, host);
    expect(c.dataDir).toBe('/srv/selfeval/.data');
    expect(c.cacheDir).toBe('/home/fin/.cache/selfeval');
    expect(c.database).toEqual({ kind: 'embedded', port: 5433, dir: '/srv/selfeval/.data/postgres' });
    expect(c.temporal).toMatchObject({
      kind: 'embedded',
      address: '127.0.0.1:7233',
      namespace: 'default',
      uiUrl: 'http://127.0.0.1:8233',
      sqliteFile: '/srv/selfeval/.data/temporal.sqlite',
    });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 3000, secureCookies: false, trustProxy: [] });
    expect(databaseUrlOf(c)).toBe('postgres://postgres:postgres@127.0.0.1:5433/selfeval');
  });

  it('uses DATABASE_URL and TEMPORAL_ADDRESS when set, and XDG_CACHE_HOME for the cache', () => {
    const c = parseConfig(
      {
        DATABASE_URL: 'postgres://u:p@db:5432/se',
        TEMPORAL_ADDRESS: 'temporal:7233',
        XDG_CACHE_HOME: '/var/cache',
        SELFEVAL_DATA_DIR: 'var/data',
        HTTP_PORT: '8080',
      },
      host,
    );
    expect(c.database).toEqual({ kind: 'url', url: 'postgres://u:p@db:5432/se' });
    expect(c.temporal.kind).toBe('external');
    expect(c.temporal.address).toBe('temporal:7233');
    expect(c.cacheDir).toBe('/var/cache/selfeval');
    expect(c.dataDir).toBe('/srv/selfeval/var/data');
    expect(c.http.port).toBe(8080);
  });

  it('renders two reports at once unless told otherwise, and refuses a count below 1', () => {
    expect(parseConfig({}, host).renderConcurrency).toBe(2);
    expect(parseConfig({ SELFEVAL_RENDER_CONCURRENCY: '4' }, host).renderConcurrency).toBe(4);
    expect(configError({ SELFEVAL_RENDER_CONCURRENCY: '0' }).details.map((d) => d.path)).toEqual(['SELFEVAL_RENDER_CONCURRENCY']);
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', HTTP_PORT: ' ' }, host)).toMatchObject({ database: { kind: 'embedded' }, http: { port: 3000 } });
  });

  it('lists every bad variable, with its name, in Chinese and English', () => {
    const e = configError({ HTTP_PORT: 'abc', SELFEVAL_PG_PORT: '70000', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', TEMPORAL_ADDRESS: 'nohost' });
    expect(e.code).toBe('config');
    expect(e.details.map((d) => d.path).sort()).toEqual(['DATABASE_URL', 'HTTP_PORT', 'LOG_LEVEL', 'SELFEVAL_PG_PORT', 'TEMPORAL_ADDRESS']);
    const pg = e.details.find((d) => d.path === 'SELFEVAL_PG_PORT');
    expect(pg?.zh).toBe('端口号应在 1–65535 之间');
    expect(pg?.en).toBe('port must be between 1 and 65535');
    const url = e.details.find((d) => d.path === 'DATABASE_URL');
    expect(url?.zh).toContain('postgres://');
    expect(url?.en).toContain('postgres://');
  });
});

describe('redactUrl', () => {
  it('hides the password and nothing else', () => {
    expect(redactUrl('postgres://finance:s3cr@t@db:5432/se')).toBe('postgres://finance:***@db:5432/se');
    expect(redactUrl('postgres://db:5432/se')).toBe('postgres://db:5432/se');
  });

  it('marks cookies Secure behind HTTPS: by the public URL unless told, and "false" is false', () => {
    expect(parseConfig({ SELFEVAL_PUBLIC_URL: 'https://jxpj.example.gov.cn' }, host).http.secureCookies).toBe(true);
    expect(parseConfig({ SELFEVAL_PUBLIC_URL: 'http://10.0.0.5:3000' }, host).http.secureCookies).toBe(false);
    expect(parseConfig({ SELFEVAL_PUBLIC_URL: 'http://10.0.0.5:3000', SELFEVAL_SECURE_COOKIES: 'true' }, host).http.secureCookies).toBe(true);
    expect(parseConfig({ SELFEVAL_PUBLIC_URL: 'https://jxpj.example.gov.cn', SELFEVAL_SECURE_COOKIES: 'false' }, host).http.secureCookies).toBe(false);
    expect(configError({ SELFEVAL_SECURE_COOKIES: 'yes' }).details.map((d) => d.path)).toEqual(['SELFEVAL_SECURE_COOKIES']);
  });

  it('reads the reverse proxies to trust, and refuses anything that is not an address or range', () => {
    expect(parseConfig({ SELFEVAL_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }, host).http.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(configError({ SELFEVAL_TRUST_PROXY: 'true' }).details.map((d) => d.path)).toEqual(['SELFEVAL_TRUST_PROXY']);
  });
});
