/**
 * The command line speaking to the HTTP API as a person: `selfeval login` signs in once and keeps an
 * API token in ~/.config/selfeval/credentials.json (mode 0600); later commands send it as a bearer
 * token, so every action is authorised and audited like one made in the browser.
 * SELFEVAL_URL and SELFEVAL_TOKEN override the stored values.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Credentials {
  url: string;
  token: string;
  email: string;
}

export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] ?? path.join(os.homedir(), '.config');
  return path.join(base, 'selfeval', 'credentials.json');
}

export function loadCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const url = env['SELFEVAL_URL'];
  const token = env['SELFEVAL_TOKEN'];
  let stored: Partial<Credentials> = {};
  try {
    stored = JSON.parse(fs.readFileSync(credentialsFile(env), 'utf8')) as Partial<Credentials>;
  } catch {
    // none stored
  }
  const merged = { url: url ?? stored.url, token: token ?? stored.token, email: stored.email ?? '' };
  return merged.url && merged.token ? (merged as Credentials) : undefined;
}

export function saveCredentials(c: Credentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = credentialsFile(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** An API error answer: `{ code, message, messageZh, details[] }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code?: string; message?: string; messageZh?: string; details?: Array<{ path: string; zh: string; en: string }> },
  ) {
    super(body.message ?? `HTTP ${status}`);
  }
}

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly auth: { token?: string; cookie?: string; csrf?: string } = {},
  ) {}

  async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await this.raw(method, route, body);
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) throw new ApiError(response.status, (parsed ?? {}));
    return parsed as T;
  }

  async raw(method: string, route: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.auth.token) headers['authorization'] = `Bearer ${this.auth.token}`;
    if (this.auth.cookie) headers['cookie'] = this.auth.cookie;
    if (this.auth.csrf) headers['x-csrf-token'] = this.auth.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${this.url.replace(/\/$/, '')}${route}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      throw new Error(`cannot reach selfeval at ${this.url} (${(e as Error).message}): is the server running? (npm start)`);
    }
  }

  /** Signs in with a password and returns a client holding a new API token. */
  static async login(url: string, email: string, password: string, tokenName: string): Promise<{ client: ApiClient; token: string }> {
    const anonymous = new ApiClient(url);
    const response = await anonymous.raw('POST', '/api/login', { email, password });
    const body = (await response.json()) as { csrfToken?: string } & ApiError['body'];
    if (!response.ok) throw new ApiError(response.status, body);
    const cookie = (response.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
    const session = new ApiClient(url, { cookie, csrf: body.csrfToken! });
    const { token } = await session.request<{ token: string }>('POST', '/api/tokens', { name: tokenName });
    return { client: new ApiClient(url, { token }), token };
  }
}
