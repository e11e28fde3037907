/** Signing people in against a real HTTP server built by the tests. */
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../client/auth/passwords';
import { ensureUserWithRole } from '../../db/accounts.repository';
import type { Db } from '../../db/connection';
import type { Role } from '../../domain/ledger/unit-year.schema';

export const PASSWORD = 'correct-horse-42';

export interface Persona {
  email: string;
  cookie: string;
  csrf: string;
}

let passwordHash: Promise<string> | undefined;

export async function addUser(db: Db, email: string, unitCode: string, role: Role, section?: string): Promise<void> {
  passwordHash ??= hashPassword(PASSWORD);
  await ensureUserWithRole(db, { email, name: email.split('@')[0]!, unitCode, role, ...(section ? { section } : {}), passwordHash: await passwordHash });
}

export async function signIn(app: FastifyInstance, email: string, password = PASSWORD): Promise<Persona> {
  const response = await app.inject({ method: 'POST', url: '/api/login', payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`sign-in of ${email} failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'selfeval_session')!;
  return { email, cookie: `${cookie.name}=${cookie.value}`, csrf: response.json<{ csrfToken: string }>().csrfToken };
}

/** Request options carrying the persona's session (and CSRF token for changes). */
export function as(p: Persona | undefined) {
  return p ? { headers: { cookie: p.cookie, 'x-csrf-token': p.csrf } } : { headers: {} };
}
