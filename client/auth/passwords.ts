/**
 * Password hashing with scrypt (N=2^15, r=8, p=1, 32-byte key, 16-byte salt), stored as
 * `scrypt$N$r$p$salt$hash` in base64, compared in constant time. Tokens are random and stored
 * only as their sha256.
 */
import { createHash, randomBytes, scrypt as scryptCb, type ScryptOptions, timingSafeEqual } from 'node:crypto';

const N = 2 ** 15;
const r = 8;
const p = 1;
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFKC'), salt, KEYLEN, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const [scheme, n, rr, pp, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !rr || !pp || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(rr), p: Number(pp), maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

/** A random secret for a cookie, an API token or a CSRF token (base64url, 32 bytes). */
export function randomToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The minimum a password must be; bilingual reasons. */
export function passwordProblems(password: string): Array<{ zh: string; en: string }> {
  const problems: Array<{ zh: string; en: string }> = [];
  if (password.length < 10) problems.push({ zh: '密码至少 10 个字符', en: 'password must have at least 10 characters' });
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) problems.push({ zh: '密码须同时包含字母和数字', en: 'password must contain letters and digits' });
  return problems;
}
