/**
 * Authentication: a session cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS; its token stored
 * only as sha256, with the session's CSRF token) for the browser, or a bearer API token for the
 * command line.
 *
 * Password sign-in is rate limited, counted in Postgres, in a way that cannot be used to lock a
 * real user out:
 *
 * - per account and address: 10 failures within 15 minutes (counted since the last success from
 *   there) stop that address trying that account;
 * - per address: 30 failures within 15 minutes stop it trying any account it has not signed in
 *   to from there in the last 30 days;
 * - per account: 50 failures within 15 minutes from anywhere (a distributed attack) stop
 *   addresses it has not been signed in from in the last 30 days.
 *
 * So a person at an address they use keeps signing in while strangers guess at their account
 * from elsewhere. Every lock is a cool-down: it lifts once its oldest counted failure is 15
 * minutes old (the answer says when, with Retry-After); nothing is ever locked for good, and an
 * attempt refused by a lock does not count.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type Account, accountById, createApiToken, createSession, deleteSession, recordLoginAttempt, sessionAccount, userByApiToken, userByEmail,
} from '../../db/accounts.repository';
import { lockedUntil, pruneLoginAttempts, succeededWithin } from '../../db/login-attempts.repository';
import type { Db } from '../../db/connection';
import { AppError } from '../../domain/errors';
import { randomToken, tokenHash, verifyPassword } from '../auth/passwords';

export const SESSION_COOKIE = 'selfeval_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** Failed sign-ins within the window: per account from one address, per address, per account from anywhere. */
export const LOGIN_LIMITS = { pair: 10, address: 30, account: 50 } as const;
/** An address that signed in to an account within this period is known for it. */
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
let lastPrune = 0;

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
  const who = email.trim().toLowerCase();
  const keys = { account: `email:${who}`, address: `ip:${request.ip}`, pair: `pair:${who}|${request.ip}` };
  const known = await succeededWithin(db, keys.pair, KNOWN_ADDRESS_MS);
  const locks = await Promise.all([
    lockedUntil(db, keys.pair, { limit: LOGIN_LIMITS.pair, windowMs: LOGIN_WINDOW_MS, sinceSuccess: true }),
    ...(known
      ? []
      : [
          lockedUntil(db, keys.address, { limit: LOGIN_LIMITS.address, windowMs: LOGIN_WINDOW_MS, sinceSuccess: false }),
          lockedUntil(db, keys.account, { limit: LOGIN_LIMITS.account, windowMs: LOGIN_WINDOW_MS, sinceSuccess: false }),
        ]),
  ]);
  const until = Math.max(0, ...locks.map((d) => d?.getTime() ?? 0));
  if (until > Date.now()) {
    const seconds = Math.ceil((until - Date.now()) / 1000);
    const minutes = Math.ceil(seconds / 60);
    reply.header('retry-after', String(seconds));
    throw new AppError('rate_limited', `登录失败次数过多，请 ${minutes} 分钟后再试`, `too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
  }
  const user = await userByEmail(db, email);
  const ok = await verifyPassword(password, user?.password_hash ?? null);
  await recordLoginAttempt(db, [keys.account, keys.address, keys.pair], ok);
  if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
    lastPrune = Date.now();
    await pruneLoginAttempts(db, KNOWN_ADDRESS_MS);
  }
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
