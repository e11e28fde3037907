/**
 * Users, roles, sessions, API tokens and login attempts. Secrets arrive here already hashed.
 */
import { sql } from 'kysely';
import type { Role } from '../domain/ledger/unit-year.schema';
import type { Db } from './connection';

export interface RoleGrant {
  unitId: number;
  unitCode: string;
  role: Role;
  /** For a section head: the section's code. */
  section: string | null;
}

export interface Account {
  id: number;
  email: string;
  name: string;
  roles: RoleGrant[];
}

export async function accountById(db: Db, userId: number): Promise<Account | undefined> {
  const user = await db.selectFrom('users').select(['id', 'email', 'name']).where('id', '=', userId).executeTakeFirst();
  if (!user) return undefined;
  const roles = await db
    .selectFrom('user_roles')
    .innerJoin('units', 'units.id', 'user_roles.unit_id')
    .leftJoin('sections', 'sections.id', 'user_roles.section_id')
    .select(['units.id as unitId', 'units.code as unitCode', 'user_roles.role', 'sections.code as section'])
    .where('user_roles.user_id', '=', userId)
    .orderBy('user_roles.id')
    .execute();
  return { ...user, roles: roles.map((r) => ({ unitId: r.unitId, unitCode: r.unitCode, role: r.role, section: r.section ?? null })) };
}

export async function userByEmail(db: Db, email: string) {
  return db.selectFrom('users').select(['id', 'email', 'name', 'password_hash']).where(sql`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function setPassword(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** Creates the user if needed and grants the role (idempotent). */
export async function ensureUserWithRole(
  db: Db,
  input: { email: string; name: string; unitCode: string; role: Role; section?: string; passwordHash?: string },
): Promise<{ userId: number; created: boolean; granted: boolean }> {
  return db.transaction().execute(async (trx) => {
    const unit = await trx.selectFrom('units').select('id').where('code', '=', input.unitCode).executeTakeFirst();
    if (!unit) throw new Error(`unknown unit ${input.unitCode}`);
    let sectionId: number | null = null;
    if (input.role === 'section_head') {
      if (!input.section) throw new Error('a section head needs a section');
      const section = await trx.selectFrom('sections').select('id').where('unit_id', '=', unit.id).where('code', '=', input.section).executeTakeFirst();
      if (!section) throw new Error(`unknown section ${input.section}`);
      sectionId = section.id;
    }
    let user = await trx.selectFrom('users').select('id').where(sql`lower(email)`, '=', input.email.trim().toLowerCase()).executeTakeFirst();
    let created = false;
    if (!user) {
      user = await trx.insertInto('users').values({ email: input.email.trim(), name: input.name, password_hash: input.passwordHash ?? null }).returning('id').executeTakeFirstOrThrow();
      created = true;
    } else if (input.passwordHash) {
      await trx.updateTable('users').set({ password_hash: input.passwordHash }).where('id', '=', user.id).execute();
    }
    const granted = await sql`
      insert into user_roles (user_id, unit_id, role, section_id) values (${user.id}, ${unit.id}, ${input.role}, ${sectionId})
      on conflict (user_id, unit_id, role, coalesce(section_id, 0)) do nothing`.execute(trx);
    return { userId: user.id, created, granted: Number(granted.numAffectedRows ?? 0) > 0 };
  });
}

export async function createSession(db: Db, s: { tokenSha256: string; userId: number; csrfToken: string; ttlMs: number }): Promise<void> {
  await db.insertInto('sessions').values({ token_sha256: s.tokenSha256, user_id: s.userId, csrf_token: s.csrfToken, expires_at: new Date(Date.now() + s.ttlMs) }).execute();
}

/** A live session with its account and roles, in one round trip (every request asks this). */
export async function sessionAccount(db: Db, tokenSha256: string): Promise<{ account: Account; csrfToken: string } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('user_roles', 'user_roles.user_id', 'users.id')
    .leftJoin('units', 'units.id', 'user_roles.unit_id')
    .leftJoin('sections', 'sections.id', 'user_roles.section_id')
    .select([
      'users.id', 'users.email', 'users.name', 'sessions.csrf_token',
      sql<RoleGrant[]>`coalesce(json_agg(json_build_object('unitId', units.id, 'unitCode', units.code, 'role', user_roles.role, 'section', sections.code) order by user_roles.id) filter (where user_roles.id is not null), '[]')`.as('roles'),
    ])
    .where('sessions.token_sha256', '=', tokenSha256)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .groupBy(['users.id', 'users.email', 'users.name', 'sessions.csrf_token'])
    .executeTakeFirst();
  if (!row) return undefined;
  // json_agg turns bigint ids into JSON numbers; they are safe integers here.
  return { account: { id: row.id, email: row.email, name: row.name, roles: row.roles.map((r) => ({ ...r, unitId: Number(r.unitId) })) }, csrfToken: row.csrf_token };
}

export async function sessionByToken(db: Db, tokenSha256: string): Promise<{ userId: number; csrfToken: string } | undefined> {
  const row = await db.selectFrom('sessions').select(['user_id', 'csrf_token']).where('token_sha256', '=', tokenSha256).where('expires_at', '>', sql<Date>`now()`).executeTakeFirst();
  return row && { userId: row.user_id, csrfToken: row.csrf_token };
}

export async function deleteSession(db: Db, tokenSha256: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_sha256', '=', tokenSha256).execute();
}

export async function createApiToken(db: Db, t: { userId: number; name: string; tokenSha256: string }): Promise<number> {
  return (await db.insertInto('api_tokens').values({ user_id: t.userId, name: t.name, token_sha256: t.tokenSha256 }).returning('id').executeTakeFirstOrThrow()).id;
}

export async function userByApiToken(db: Db, tokenSha256: string): Promise<number | undefined> {
  const row = await db
    .updateTable('api_tokens')
    .set({ last_used_at: sql<Date>`now()` })
    .where('token_sha256', '=', tokenSha256)
    .where('revoked_at', 'is', null)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}

/** Failed attempts for a key (an email, an address) within the window. */
export async function recentFailures(db: Db, key: string, windowMs: number): Promise<number> {
  const r = await db
    .selectFrom('login_attempts')
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .where('key', '=', key)
    .where('succeeded', '=', false)
    .where('at', '>', sql<Date>`now() - make_interval(secs => ${windowMs / 1000})`)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function recordLoginAttempt(db: Db, keys: string[], succeeded: boolean): Promise<void> {
  await db.insertInto('login_attempts').values(keys.map((key) => ({ key, succeeded }))).execute();
}
