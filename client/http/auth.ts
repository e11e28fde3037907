/**
 * Authentication: a session cookie (HttpOnly, SameSite=Lax; its token stored only as sha256, with
 * the session's CSRF token) for the browser, or a bearer API token for the command line. Password
 * sign-in is rate limited per email and per address, counted in Postgres.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type Account, accountById, createApiToken, createSession, deleteSession, recentFailures, recordLoginAttempt, sessionAccount, userByApiToken, userByEmail,
} from '../../db/accounts.repository';
import type { Db } from '../../db/connection';
import { AppError } from '../../domain/errors';
import { randomToken, tokenHash, verifyPassword } from '../auth/passwords';

export const SESSION_COOKIE = 'selfeval_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Failed sign-ins allowed per email or per address within the window. */
export const LOGIN_LIMIT = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export interface AuthState {
  account?: Account;
  via?: 'session' | 'token';
  csrfToken?: string;
  sessionHash?: string;
}

export async function authenticate(db: Db, request: FastifyRequest): Promise<AuthState> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const userId = await userByApiToken(db, tokenHash(header.slice(7).trim()));
    if (userId === undefined) throw new AppError('unauthenticated', '令牌无效或已撤销', 'invalid or revoked token');
    const account = await accountById(db, userId);
    return account ? { account, via: 'token' } : {};
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return {};
  const sessionHash = tokenHash(cookie);
  const session = await sessionAccount(db, sessionHash);
  return session ? { account: session.account, via: 'session', csrfToken: session.csrfToken, sessionHash } : {};
}

export async function signIn(db: Db, request: FastifyRequest, reply: FastifyReply, email: string, password: string, secure: boolean): Promise<{ account: Account; csrfToken: string }> {
  const keys = [`email:${email.trim().toLowerCase()}`, `ip:${request.ip}`];
  for (const key of keys) {
    if ((await recentFailures(db, key, LOGIN_WINDOW_MS)) >= LOGIN_LIMIT) {
      throw new AppError('rate_limited', '登录失败次数过多，请 15 分钟后再试', 'too many failed sign-ins; try again in 15 minutes');
    }
  }
  const user = await userByEmail(db, email);
  const ok = await verifyPassword(password, user?.password_hash ?? null);
  await recordLoginAttempt(db, keys, ok);
  if (!user || !ok) throw new AppError('unauthenticated', '邮箱或密码不正确', 'wrong email or password');
  const token = randomToken();
  const csrfToken = randomToken();
  await createSession(db, { tokenSha256: tokenHash(token), userId: user.id, csrfToken, ttlMs: SESSION_TTL_MS });
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: SESSION_TTL_MS / 1000 });
  return { account: (await accountById(db, user.id))!, csrfToken };
}

export async function signOut(db: Db, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.auth.sessionHash) await deleteSession(db, request.auth.sessionHash);
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** A new API token for the signed-in account; shown once. */
export async function issueApiToken(db: Db, account: Account, name: string): Promise<string> {
  const token = randomToken('se_');
  await createApiToken(db, { userId: account.id, name, tokenSha256: tokenHash(token) });
  return token;
}
