/**
 * Users, roles, sessions, API tokens, password resets and login attempts. Secrets arrive here
 * already hashed. Every change to who may do what — a role granted or revoked, a password set or
 * reset, a token revoked, a sign-in — is written to the audit log in the same transaction.
 */
import { sql } from 'kysely';
import type { Role } from '../domain/ledger/unit-year.schema';
import type { Db } from './connection';
import { type OrgRoleGrant, organisationRolesOf } from './organisations.repository';

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
  /** Roles in organisations above units (a bureau, a department); absent or empty for unit staff. */
  orgRoles?: OrgRoleGrant[];
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
  return { ...user, roles: roles.map((r) => ({ unitId: r.unitId, unitCode: r.unitCode, role: r.role, section: r.section ?? null })), orgRoles: await organisationRolesOf(db, userId) };
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
  input: { email: string; name: string; unitCode: string; role: Role; section?: string; passwordHash?: string; actor?: string },
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
    const isNew = Number(granted.numAffectedRows ?? 0) > 0;
    const actor = input.actor ?? 'operator (selfeval users add)';
    if (created) await auditAccount(trx, { actor, unitId: unit.id, action: 'account.create', subject: `user/${input.email.trim()}`, details: { name: input.name } });
    if (isNew) await auditAccount(trx, { actor, unitId: unit.id, action: 'role.grant', subject: `user/${input.email.trim()}`, details: { role: input.role, section: input.section ?? null } });
    if (input.passwordHash && !created) await auditAccount(trx, { actor, unitId: null, action: 'account.password_set', subject: `user/${input.email.trim()}` });
    return { userId: user.id, created, granted: isNew };
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
      sql<OrgRoleGrant[]>`(select coalesce(json_agg(json_build_object('organisationId', o.id, 'organisationCode', o.code, 'kind', o.kind, 'role', r.role) order by o.id), '[]') from organisation_roles r join organisations o on o.id = r.organisation_id where r.user_id = users.id)`.as('orgRoles'),
    ])
    .where('sessions.token_sha256', '=', tokenSha256)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .groupBy(['users.id', 'users.email', 'users.name', 'sessions.csrf_token'])
    .executeTakeFirst();
  if (!row) return undefined;
  // json_agg turns bigint ids into JSON numbers; they are safe integers here.
  return {
    account: { id: row.id, email: row.email, name: row.name, roles: row.roles.map((r) => ({ ...r, unitId: Number(r.unitId) })), orgRoles: row.orgRoles.map((r) => ({ ...r, organisationId: Number(r.organisationId) })) },
    csrfToken: row.csrf_token,
  };
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

/** Counts the attempt for the rate limit; a successful sign-in is also audited (who, from where). */
export async function recordLoginAttempt(db: Db, keys: string[], succeeded: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('login_attempts').values(keys.map((key) => ({ key, succeeded }))).execute();
    const email = keys.find((k) => k.startsWith('email:'))?.slice('email:'.length);
    const address = keys.find((k) => k.startsWith('ip:'))?.slice('ip:'.length);
    if (succeeded && email) await auditAccount(trx, { actor: email, unitId: null, action: 'account.sign_in', subject: `user/${email}`, details: { address: address ?? null } });
  });
}

// ── Audit ─────────────────────────────────────────────────────────────────────────────────────

/** An audit row for an account change (the evaluation's own rows are written by evaluations.repository). */
async function auditAccount(db: Db, e: { actor: string; unitId: number | null; action: string; subject: string; details?: unknown }): Promise<void> {
  await db.insertInto('audit_log').values({ actor: e.actor, unit_id: e.unitId, action: e.action, subject: e.subject, details: JSON.stringify(e.details ?? {}) }).execute();
}

// ── People of a unit, roles ───────────────────────────────────────────────────────────────────

export interface PersonRole {
  /** The grant's id (to revoke it). */
  id: number;
  role: Role;
  section: string | null;
  sectionName: string | null;
}

export interface Person {
  userId: number;
  email: string;
  name: string;
  hasPassword: boolean;
  roles: PersonRole[];
  lastSignInAt: Date | null;
}

/** Everyone with a role in the unit, with their roles there, in name order. */
export async function peopleOfUnit(db: Db, unitId: number): Promise<Person[]> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .leftJoin('sections', 'sections.id', 'user_roles.section_id')
    .select(['users.id as userId', 'users.email', 'users.name', 'users.password_hash', 'user_roles.id as roleId', 'user_roles.role', 'sections.code as section', 'sections.name as sectionName'])
    .where('user_roles.unit_id', '=', unitId)
    .orderBy('users.name')
    .orderBy('users.id')
    .orderBy('user_roles.id')
    .execute();
  const people = new Map<number, Person>();
  for (const r of rows) {
    const p = people.get(r.userId) ?? { userId: r.userId, email: r.email, name: r.name, hasPassword: r.password_hash !== null, roles: [], lastSignInAt: null };
    p.roles.push({ id: r.roleId, role: r.role, section: r.section ?? null, sectionName: r.sectionName ?? null });
    people.set(r.userId, p);
  }
  if (people.size) {
    const signIns = await db
      .selectFrom('audit_log')
      .select(['subject', sql<Date>`max(at)`.as('at')])
      .where('action', '=', 'account.sign_in')
      .where('subject', 'in', [...people.values()].map((p) => `user/${p.email}`))
      .groupBy('subject')
      .execute();
    const last = new Map(signIns.map((x) => [x.subject.toLowerCase(), x.at]));
    for (const p of people.values()) p.lastSignInAt = last.get(`user/${p.email}`.toLowerCase()) ?? null;
  }
  return [...people.values()];
}

export async function userInUnit(db: Db, userId: number, unitId: number): Promise<{ id: number; email: string; name: string } | undefined> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.email', 'users.name'])
    .where('users.id', '=', userId)
    .where((eb) => eb.exists(eb.selectFrom('user_roles').select('user_roles.id').where('user_roles.user_id', '=', userId).where('user_roles.unit_id', '=', unitId)))
    .executeTakeFirst();
}

/** Removes one grant of the unit (the person's next request no longer carries it). */
export async function revokeRole(db: Db, input: { roleId: number; unitId: number; actor: string }): Promise<{ email: string; role: Role; section: string | null } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .leftJoin('sections', 'sections.id', 'user_roles.section_id')
      .select(['user_roles.id', 'users.email', 'user_roles.role', 'sections.code as section'])
      .where('user_roles.id', '=', input.roleId)
      .where('user_roles.unit_id', '=', input.unitId)
      .executeTakeFirst();
    if (!row) return undefined;
    await trx.deleteFrom('user_roles').where('id', '=', row.id).execute();
    await auditAccount(trx, { actor: input.actor, unitId: input.unitId, action: 'role.revoke', subject: `user/${row.email}`, details: { role: row.role, section: row.section ?? null } });
    return { email: row.email, role: row.role, section: row.section ?? null };
  });
}

/** The unit's administrators other than this grant (a unit must keep one). */
export async function otherAdmins(db: Db, unitId: number, exceptRoleId: number): Promise<number> {
  const r = await db
    .selectFrom('user_roles')
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .where('unit_id', '=', unitId)
    .where('role', '=', 'admin')
    .where('id', '<>', exceptRoleId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// ── Passwords ─────────────────────────────────────────────────────────────────────────────────

/**
 * A new password for the account: the hash replaced and every other session ended (a session
 * opened with the old password does not outlive it).
 */
export async function changePassword(db: Db, input: { userId: number; passwordHash: string; keepSessionSha256?: string; actor: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await trx.updateTable('users').set({ password_hash: input.passwordHash }).where('id', '=', input.userId).returning('email').executeTakeFirstOrThrow();
    let end = trx.deleteFrom('sessions').where('user_id', '=', input.userId);
    if (input.keepSessionSha256) end = end.where('token_sha256', '<>', input.keepSessionSha256);
    await end.execute();
    await auditAccount(trx, { actor: input.actor, unitId: null, action: 'account.password_change', subject: `user/${user.email}` });
  });
}

export async function passwordHashOf(db: Db, userId: number): Promise<string | null> {
  return (await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst())?.password_hash ?? null;
}

/** A one-time reset link's token (its sha256), valid until `expiresAt`; earlier unused links of the person stop working. */
export async function createPasswordReset(db: Db, input: { userId: number; unitId: number; tokenSha256: string; expiresAt: Date; actor: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select('email').where('id', '=', input.userId).executeTakeFirstOrThrow();
    await trx.updateTable('password_resets').set({ used_at: sql<Date>`now()` }).where('user_id', '=', input.userId).where('used_at', 'is', null).execute();
    await trx.insertInto('password_resets').values({ user_id: input.userId, token_sha256: input.tokenSha256, created_by: input.actor, expires_at: input.expiresAt }).execute();
    await auditAccount(trx, { actor: input.actor, unitId: input.unitId, action: 'account.reset_link', subject: `user/${user.email}`, details: { expiresAt: input.expiresAt.toISOString() } });
  });
}

/** Whose link it is, when it may still be used. */
export async function passwordResetFor(db: Db, tokenSha256: string): Promise<{ userId: number; email: string; name: string; expiresAt: Date } | undefined> {
  const row = await db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .select(['users.id as userId', 'users.email', 'users.name', 'password_resets.expires_at'])
    .where('password_resets.token_sha256', '=', tokenSha256)
    .where('password_resets.used_at', 'is', null)
    .where('password_resets.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row && { userId: row.userId, email: row.email, name: row.name, expiresAt: row.expires_at };
}

/**
 * Uses a reset link: claimed (used_at set) only if unused and unexpired, in the same transaction
 * as the new password, so two uses of one link cannot both succeed. Every session of the person ends.
 */
export async function usePasswordReset(db: Db, input: { tokenSha256: string; passwordHash: string }): Promise<{ email: string } | undefined> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('password_resets')
      .set({ used_at: sql<Date>`now()` })
      .where('token_sha256', '=', input.tokenSha256)
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning('user_id')
      .executeTakeFirst();
    if (!claimed) return undefined;
    const user = await trx.updateTable('users').set({ password_hash: input.passwordHash }).where('id', '=', claimed.user_id).returning('email').executeTakeFirstOrThrow();
    await trx.deleteFrom('sessions').where('user_id', '=', claimed.user_id).execute();
    await auditAccount(trx, { actor: user.email, unitId: null, action: 'account.password_reset', subject: `user/${user.email}` });
    return { email: user.email };
  });
}

// ── API tokens ────────────────────────────────────────────────────────────────────────────────

export interface ApiTokenInfo {
  id: number;
  userId: number;
  email: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Tokens of the given people (never their secret), newest first. */
export async function apiTokensOf(db: Db, userIds: number[]): Promise<ApiTokenInfo[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.user_id', 'users.email', 'api_tokens.name', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at'])
    .where('api_tokens.user_id', 'in', userIds)
    .orderBy('api_tokens.created_at', 'desc')
    .orderBy('api_tokens.id', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id, email: r.email, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

/** Revokes a token of one of the given people; undefined when there is no such token of theirs. */
export async function revokeApiToken(db: Db, input: { tokenId: number; ownerIds: number[]; unitId: number | null; actor: string }): Promise<{ revoked: boolean } | undefined> {
  if (input.ownerIds.length === 0) return undefined;
  return db.transaction().execute(async (trx) => {
    const token = await trx
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.revoked_at', 'users.email'])
      .where('api_tokens.id', '=', input.tokenId)
      .where('api_tokens.user_id', 'in', input.ownerIds)
      .executeTakeFirst();
    if (!token) return undefined;
    if (token.revoked_at) return { revoked: false };
    await trx.updateTable('api_tokens').set({ revoked_at: sql<Date>`now()` }).where('id', '=', token.id).execute();
    await auditAccount(trx, { actor: input.actor, unitId: input.unitId, action: 'token.revoke', subject: `user/${token.email}`, details: { token: token.name, id: token.id } });
    return { revoked: true };
  });
}
