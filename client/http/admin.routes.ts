/**
 * Accounts without an operator, and the administration of a unit:
 *
 *   every person      change their own password (other sessions end), list and revoke their API tokens;
 *   anyone with a link set a new password through a one-time reset link (expires, used once);
 *   an administrator  of a unit: the unit and its sections; its people and their roles (grant,
 *                     revoke; a section head's section); reset links and API tokens of its people;
 *                     its 企业微信 / 钉钉 robot channels (each checked by a test message before it
 *                     is saved); the messages that did not reach their recipient (resend, stop);
 *                     its audit log, filtered by who, what, when and year;
 *                     and any administrator may create a new unit (and administers it).
 *
 * Every change is audited in its repository's transaction. A person who also works in a unit the
 * administrator does not administer keeps control of their account: their password and tokens
 * are changed only by them or by an administrator of every unit they work in.
 */
import { z } from 'zod';
import {
  type Account, apiTokensOf, changePassword, createPasswordReset, ensureUserWithRole, otherAdmins, passwordHashOf, peopleOfUnit, revokeApiToken, revokeRole,
  usePasswordReset, userInUnit,
} from '../../db/accounts.repository';
import { addSection, auditActions, auditEntries, createUnit, renameSection, unitsByCode, updateUnit } from '../../db/admin.repository';
import { addChannel, channelOfUnit, channelsOfUnit, decideUndelivered, recordChannelTest, setChannelEnabled, undelivered as undeliveredOf } from '../../db/notifications.repository';
import { AppError } from '../../domain/errors';
import { codeSchema } from '../../domain/ledger/scalars';
import { roles } from '../../domain/ledger/unit-year.schema';
import { bi } from '../../domain/validation';
import { hashPassword, passwordProblems, randomToken, tokenHash, verifyPassword } from '../auth/passwords';
import { sendRobotTest } from '../notifications/robot-test';
import { PUBLIC, roleAnywhere, SIGNED_IN, unitRoles } from './access';
import { actorOf, body, type HandlerContext, params, type RouteDef, unitParams } from './route-kit';

/** How long a reset link works. */
export const RESET_LINK_TTL_MS = 72 * 60 * 60 * 1000;

const ADMIN = unitRoles('admin');
const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const newPassword = z.string().min(1).max(200);
const okSchema = z.object({ ok: z.literal(true) });

function problem(path: string, code: string, zh: string, en: string) {
  return { path, code, zh, en };
}

function passwordOrThrow(password: string, path: string): void {
  const problems = passwordProblems(password);
  if (problems.length) throw AppError.invalid(problems.map((p) => problem(path, 'weak_password', p.zh, p.en)));
}

/** The unit's id (the access rule has already established it exists for this administrator). */
function unitIdOf(ctx: HandlerContext, code: string): number {
  const grant = ctx.account!.roles.find((r) => r.unitCode === code);
  if (!grant) throw new AppError('not_found', '未找到', 'not found');
  return grant.unitId;
}

const adminUnitCodes = (a: Account) => [...new Set(a.roles.filter((r) => r.role === 'admin').map((r) => r.unitCode))];

/** `https://host` of this request (links an administrator hands on, links in a test message). */
function origin(ctx: HandlerContext): string {
  const proto = String(ctx.request.headers['x-forwarded-proto'] ?? ctx.request.protocol).split(',')[0]!.trim();
  return `${proto}://${ctx.request.headers.host ?? 'localhost'}`;
}

/** A person may be managed only by an administrator of every unit they work in. */
async function manageable(ctx: HandlerContext, unitId: number, userId: number): Promise<{ id: number; email: string; name: string }> {
  const person = await userInUnit(ctx.deps.db, userId, unitId);
  if (!person) throw new AppError('not_found', '本单位没有此人', 'no such person in this unit');
  const theirUnits = await ctx.deps.db.selectFrom('user_roles').select('unit_id').distinct().where('user_id', '=', userId).execute();
  const mine = new Set(ctx.account!.roles.filter((r) => r.role === 'admin').map((r) => r.unitId));
  if (theirUnits.some((u) => !mine.has(u.unit_id))) {
    throw new AppError('forbidden', '此人还在您不管理的单位任职，只能由本人或该单位的管理员处理其账号', 'this person also works in a unit you do not administer: only they or that unit’s administrator may change their account');
  }
  return person;
}

const channelBody = z
  .object({
    kind: z.enum(['wecom', 'dingtalk'], { message: bi('类型应为企业微信（wecom）或钉钉（dingtalk）', 'kind must be wecom or dingtalk') }),
    url: z
      .string()
      .trim()
      .max(1000)
      .refine((u) => /^https?:\/\/[^\s/]+/.test(u), { message: bi('应为 http(s):// 开头的机器人 Webhook 地址', 'must be the robot’s http(s):// webhook address') }),
    secret: z.string().trim().max(200).optional(),
    label: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export const adminRoutes: RouteDef[] = [
  // ── One's own account ─────────────────────────────────────────────────────────────────────
  {
    method: 'PUT', url: '/api/me/password', tag: 'accounts', summary: 'Change my password (my other sessions end)', access: SIGNED_IN,
    schema: { body: z.object({ currentPassword: z.string().min(1).max(200), newPassword }).strict(), response: { 200: okSchema } },
    async handler(ctx) {
      const b = body<{ currentPassword: string; newPassword: string }>(ctx.request);
      const account = ctx.account!;
      if (!(await verifyPassword(b.currentPassword, await passwordHashOf(ctx.deps.db, account.id)))) {
        throw AppError.invalid([problem('body.currentPassword', 'wrong_password', '当前密码不正确', 'the current password is wrong')]);
      }
      passwordOrThrow(b.newPassword, 'body.newPassword');
      if (b.newPassword === b.currentPassword) throw AppError.invalid([problem('body.newPassword', 'same_password', '新密码不能与当前密码相同', 'the new password must differ from the current one')]);
      await changePassword(ctx.deps.db, { userId: account.id, passwordHash: await hashPassword(b.newPassword), ...(ctx.request.auth.sessionHash ? { keepSessionSha256: ctx.request.auth.sessionHash } : {}), actor: account.email });
      return { ok: true as const };
    },
  },
  {
    method: 'GET', url: '/api/me/tokens', tag: 'accounts', summary: 'My API tokens (names and dates, never the secret)', access: SIGNED_IN, schema: {},
    async handler(ctx) {
      return { tokens: await apiTokensOf(ctx.deps.db, [ctx.account!.id]) };
    },
  },
  {
    method: 'POST', url: '/api/me/tokens/:token/revoke', tag: 'accounts', summary: 'Revoke one of my API tokens', access: SIGNED_IN,
    schema: { params: z.object({ token: id }), response: { 200: z.object({ revoked: z.boolean() }) } },
    async handler(ctx) {
      const r = await revokeApiToken(ctx.deps.db, { tokenId: params<{ token: number }>(ctx.request).token, ownerIds: [ctx.account!.id], unitId: null, actor: ctx.account!.email });
      if (!r) throw new AppError('not_found', '没有这个令牌', 'no such token of yours');
      return r;
    },
  },
  {
    method: 'POST', url: '/api/password-reset', tag: 'accounts', summary: 'Set a new password with a one-time reset link’s token (the link then stops working)', access: PUBLIC, skipCsrf: true,
    schema: { body: z.object({ token: z.string().min(10).max(200), newPassword }).strict(), response: { 200: z.object({ email: z.string() }) } },
    async handler(ctx) {
      const b = body<{ token: string; newPassword: string }>(ctx.request);
      passwordOrThrow(b.newPassword, 'body.newPassword');
      const used = await usePasswordReset(ctx.deps.db, { tokenSha256: tokenHash(b.token), passwordHash: await hashPassword(b.newPassword) });
      if (!used) throw AppError.invalid([problem('body.token', 'reset_link_invalid', '链接无效、已使用或已过期，请向管理员重新申请', 'the link is invalid, used or expired: ask an administrator for a new one')]);
      return used;
    },
  },

  // ── Units ─────────────────────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/admin/units', tag: 'admin', summary: 'The units I administer, with their sections and years', access: SIGNED_IN, schema: {},
    async handler(ctx) {
      return { units: await unitsByCode(ctx.deps.db, adminUnitCodes(ctx.account!)) };
    },
  },
  {
    method: 'POST', url: '/api/admin/units', tag: 'admin', summary: 'Create a unit (any administrator; the creator administers it)', access: roleAnywhere('admin'),
    schema: {
      body: z.object({ code: codeSchema, name: z.string().trim().min(1).max(200), level: z.string().trim().min(1).max(50).optional(), staffQuota: z.number().int().min(0).max(100_000).default(0) }).strict(),
    },
    async handler(ctx) {
      const b = body<{ code: string; name: string; level?: string; staffQuota: number }>(ctx.request);
      const created = await createUnit(ctx.deps.db, { code: b.code, name: b.name, level: b.level ?? null, staffQuota: b.staffQuota, creatorUserId: ctx.account!.id, actor: actorOf(ctx.account) });
      if (!created) throw AppError.invalid([problem('body.code', 'unit_exists', `单位编码 ${b.code} 已存在`, `unit code ${b.code} is taken`)]);
      ctx.reply.status(201);
      return { code: b.code, id: created.id };
    },
  },
  {
    method: 'GET', url: '/api/admin/units/:unit', tag: 'admin', summary: 'A unit for its administrator: sections, people and roles, API tokens, robot channels, messages that did not reach their recipient', access: ADMIN, schema: { params: unitParams },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const unitId = unitIdOf(ctx, unit);
      const [units, people, channels, undelivered] = await Promise.all([unitsByCode(ctx.deps.db, [unit]), peopleOfUnit(ctx.deps.db, unitId), channelsOfUnit(ctx.deps.db, unitId), undeliveredOf(ctx.deps.db, { unitId })]);
      const tokens = await apiTokensOf(ctx.deps.db, people.map((p) => p.userId));
      return { unit: units[0], people, tokens, channels, undelivered };
    },
  },
  {
    method: 'PUT', url: '/api/admin/units/:unit', tag: 'admin', summary: 'Rename a unit, set its level and staff quota', access: ADMIN,
    schema: { params: unitParams, body: z.object({ name: z.string().trim().min(1).max(200), level: z.string().trim().max(50).optional(), staffQuota: z.number().int().min(0).max(100_000) }).strict(), response: { 200: okSchema } },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const b = body<{ name: string; level?: string; staffQuota: number }>(ctx.request);
      await updateUnit(ctx.deps.db, { unitId: unitIdOf(ctx, unit), name: b.name, level: b.level || null, staffQuota: b.staffQuota, actor: actorOf(ctx.account) });
      return { ok: true as const };
    },
  },
  {
    method: 'POST', url: '/api/admin/units/:unit/sections', tag: 'admin', summary: 'Add a section (内设科室) to a unit', access: ADMIN,
    schema: { params: unitParams, body: z.object({ code: codeSchema, name: z.string().trim().min(1).max(100) }).strict() },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const b = body<{ code: string; name: string }>(ctx.request);
      const added = await addSection(ctx.deps.db, { unitId: unitIdOf(ctx, unit), code: b.code, name: b.name, actor: actorOf(ctx.account) });
      if (!added) throw AppError.invalid([problem('body.code', 'section_exists', `本单位已有科室编码 ${b.code}`, `the unit already has a section ${b.code}`)]);
      ctx.reply.status(201);
      return { code: b.code };
    },
  },
  {
    method: 'PUT', url: '/api/admin/units/:unit/sections/:section', tag: 'admin', summary: 'Rename a section', access: ADMIN,
    schema: { params: unitParams.extend({ section: z.string().min(1).max(64) }), body: z.object({ name: z.string().trim().min(1).max(100) }).strict(), response: { 200: okSchema } },
    async handler(ctx) {
      const { unit, section } = params<{ unit: string; section: string }>(ctx.request);
      const done = await renameSection(ctx.deps.db, { unitId: unitIdOf(ctx, unit), code: section, name: body<{ name: string }>(ctx.request).name, actor: actorOf(ctx.account) });
      if (!done) throw new AppError('not_found', `本单位没有科室 ${section}`, `no section ${section} in this unit`);
      return { ok: true as const };
    },
  },

  // ── People and roles ──────────────────────────────────────────────────────────────────────
  {
    method: 'POST', url: '/api/admin/units/:unit/people', tag: 'admin',
    summary: 'Grant a role in the unit (a section head with their section), creating the person’s account when new; a new account gets a one-time link to set its password',
    access: ADMIN,
    schema: {
      params: unitParams,
      body: z
        .object({ email: z.email({ message: bi('邮箱格式不正确', 'not a valid email address') }).max(200), name: z.string().trim().min(1).max(100).optional(), role: z.enum(roles), section: z.string().trim().min(1).max(64).optional() })
        .strict()
        .superRefine((b, c) => {
          if (b.role === 'section_head' && !b.section) c.addIssue({ code: 'custom', path: ['section'], message: bi('科室负责人须选择科室', 'a section head needs a section') });
        }),
    },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const b = body<{ email: string; name?: string; role: (typeof roles)[number]; section?: string }>(ctx.request);
      const unitId = unitIdOf(ctx, unit);
      if (b.role === 'section_head') {
        const known = await ctx.deps.db.selectFrom('sections').select('id').where('unit_id', '=', unitId).where('code', '=', b.section!).executeTakeFirst();
        if (!known) throw AppError.invalid([problem('body.section', 'unknown_section', `本单位没有科室 ${b.section}`, `no section ${b.section} in this unit`)]);
      }
      const r = await ensureUserWithRole(ctx.deps.db, {
        email: b.email, name: b.name ?? b.email.split('@')[0]!, unitCode: unit, role: b.role, ...(b.role === 'section_head' ? { section: b.section! } : {}), actor: actorOf(ctx.account),
      });
      // A new account (or one that never had a password) gets a link to set one.
      let setPassword: { link: string; expiresAt: string } | undefined;
      if ((await passwordHashOf(ctx.deps.db, r.userId)) === null) {
        const token = randomToken();
        const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MS);
        await createPasswordReset(ctx.deps.db, { userId: r.userId, unitId, tokenSha256: tokenHash(token), expiresAt, actor: actorOf(ctx.account) });
        setPassword = { link: `${origin(ctx)}/password-reset/${token}`, expiresAt: expiresAt.toISOString() };
      }
      ctx.reply.status(r.granted ? 201 : 200);
      return { userId: r.userId, created: r.created, granted: r.granted, ...(setPassword ? { setPassword } : {}) };
    },
  },
  {
    method: 'POST', url: '/api/admin/units/:unit/roles/:role/revoke', tag: 'admin', summary: 'Revoke a role grant (the person’s next request no longer carries it)', access: ADMIN,
    schema: { params: unitParams.extend({ role: id }), response: { 200: z.object({ email: z.string(), role: z.enum(roles), section: z.string().nullable() }) } },
    async handler(ctx) {
      const { unit, role } = params<{ unit: string; role: number }>(ctx.request);
      const unitId = unitIdOf(ctx, unit);
      const grant = await ctx.deps.db.selectFrom('user_roles').select(['id', 'role']).where('id', '=', role).where('unit_id', '=', unitId).executeTakeFirst();
      if (!grant) throw new AppError('not_found', '本单位没有这项授权', 'no such role grant in this unit');
      if (grant.role === 'admin' && (await otherAdmins(ctx.deps.db, unitId, grant.id)) === 0) {
        throw new AppError('conflict', '这是本单位唯一的管理员授权，不能撤销', 'this is the unit’s only administrator: it cannot be revoked');
      }
      const revoked = await revokeRole(ctx.deps.db, { roleId: role, unitId, actor: actorOf(ctx.account) });
      if (!revoked) throw new AppError('not_found', '本单位没有这项授权', 'no such role grant in this unit');
      return revoked;
    },
  },
  {
    method: 'POST', url: '/api/admin/units/:unit/people/:user/reset-link', tag: 'admin', summary: 'Issue a one-time password reset link for a person of the unit (earlier links stop working)', access: ADMIN,
    schema: { params: unitParams.extend({ user: id }), response: { 200: z.object({ link: z.string(), expiresAt: z.string() }) } },
    async handler(ctx) {
      const { unit, user } = params<{ unit: string; user: number }>(ctx.request);
      const unitId = unitIdOf(ctx, unit);
      const person = await manageable(ctx, unitId, user);
      const token = randomToken();
      const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MS);
      await createPasswordReset(ctx.deps.db, { userId: person.id, unitId, tokenSha256: tokenHash(token), expiresAt, actor: actorOf(ctx.account) });
      return { link: `${origin(ctx)}/password-reset/${token}`, expiresAt: expiresAt.toISOString() };
    },
  },
  {
    method: 'POST', url: '/api/admin/units/:unit/tokens/:token/revoke', tag: 'admin', summary: 'Revoke an API token of a person of the unit', access: ADMIN,
    schema: { params: unitParams.extend({ token: id }), response: { 200: z.object({ revoked: z.boolean() }) } },
    async handler(ctx) {
      const { unit, token } = params<{ unit: string; token: number }>(ctx.request);
      const unitId = unitIdOf(ctx, unit);
      const owner = await ctx.deps.db.selectFrom('api_tokens').select('user_id').where('id', '=', token).executeTakeFirst();
      if (!owner || !(await userInUnit(ctx.deps.db, owner.user_id, unitId))) throw new AppError('not_found', '本单位人员没有这个令牌', 'no such token of a person of this unit');
      await manageable(ctx, unitId, owner.user_id);
      const r = await revokeApiToken(ctx.deps.db, { tokenId: token, ownerIds: [owner.user_id], unitId, actor: actorOf(ctx.account) });
      return r ?? { revoked: false };
    },
  },

  // ── Robot channels ────────────────────────────────────────────────────────────────────────
  {
    method: 'POST', url: '/api/admin/units/:unit/channels', tag: 'admin',
    summary: 'Add a 企业微信 / 钉钉 robot channel: a test message is sent first, and the channel is saved only when the robot accepts it', access: ADMIN,
    schema: { params: unitParams, body: channelBody },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const b = body<z.infer<typeof channelBody>>(ctx.request);
      const unitId = unitIdOf(ctx, unit);
      const error = await sendRobotTest(
        { kind: b.kind, url: b.url, secret: b.secret || null },
        { subject: 'selfeval 测试消息', body: `${ctx.account!.name}（${ctx.account!.email}）正在为本单位添加${b.kind === 'dingtalk' ? '钉钉' : '企业微信'}通知渠道${b.label ? `“${b.label}”` : ''}。收到此消息说明配置正确。`, link: `${origin(ctx)}/admin/units/${encodeURIComponent(unit)}` },
      );
      if (error) throw AppError.invalid([problem('body.url', 'robot_refused', `测试消息未能发送：${error}`, `the test message was not accepted: ${error}`)], '测试消息未能发送，渠道未保存', 'the test message failed; the channel was not saved');
      const channelId = await addChannel(ctx.deps.db, { unitId, kind: b.kind, url: b.url, secret: b.secret || null, label: b.label ?? null, actor: actorOf(ctx.account) });
      ctx.reply.status(201);
      return { id: channelId };
    },
  },
  {
    method: 'POST', url: '/api/admin/units/:unit/channels/:channel/test', tag: 'admin', summary: 'Send a test message to a channel and record the outcome', access: ADMIN,
    schema: { params: unitParams.extend({ channel: id }), response: { 200: z.object({ ok: z.boolean(), error: z.string().nullable() }) } },
    async handler(ctx) {
      const { unit, channel } = params<{ unit: string; channel: number }>(ctx.request);
      const unitId = unitIdOf(ctx, unit);
      const row = await channelOfUnit(ctx.deps.db, unitId, channel);
      if (!row) throw new AppError('not_found', '本单位没有这个通知渠道', 'no such channel of this unit');
      const error = await sendRobotTest(row, { subject: 'selfeval 测试消息', body: `${ctx.account!.name} 发送的测试消息：本单位的通知渠道${row.label ? `“${row.label}”` : ''}工作正常。`, link: `${origin(ctx)}/admin/units/${encodeURIComponent(unit)}` });
      await recordChannelTest(ctx.deps.db, { unitId, channelId: channel, error, actor: actorOf(ctx.account) });
      return { ok: error === null, error };
    },
  },
  {
    method: 'PUT', url: '/api/admin/units/:unit/channels/:channel', tag: 'admin', summary: 'Turn a channel on or off', access: ADMIN,
    schema: { params: unitParams.extend({ channel: id }), body: z.object({ enabled: z.boolean() }).strict(), response: { 200: okSchema } },
    async handler(ctx) {
      const { unit, channel } = params<{ unit: string; channel: number }>(ctx.request);
      const done = await setChannelEnabled(ctx.deps.db, { unitId: unitIdOf(ctx, unit), channelId: channel, enabled: body<{ enabled: boolean }>(ctx.request).enabled, actor: actorOf(ctx.account) });
      if (!done) throw new AppError('not_found', '本单位没有这个通知渠道', 'no such channel of this unit');
      return { ok: true as const };
    },
  },

  // ── Messages that did not arrive ──────────────────────────────────────────────────────────
  ...(['resend', 'abandon'] as const).map(
    (decision): RouteDef => ({
      method: 'POST', url: `/api/admin/units/:unit/notifications/:notification/${decision}`, tag: 'admin',
      summary: decision === 'resend'
        ? 'Send an uncertain or given-up message of the unit again (a new 72-hour window; an uncertain one may arrive twice), audited'
        : 'Stop trying a message of the unit that is still retrying or uncertain, audited',
      access: ADMIN,
      schema: { params: unitParams.extend({ notification: id }), response: { 200: z.object({ status: z.enum(['pending', 'failed']) }) } },
      async handler(ctx) {
        const { unit, notification } = params<{ unit: string; notification: number }>(ctx.request);
        const status = await decideUndelivered(ctx.deps.db, { scope: { unitId: unitIdOf(ctx, unit) }, id: notification, decision, actor: actorOf(ctx.account) });
        if (!status) throw new AppError('conflict', '本单位没有这条可处理的未送达通知（可能已送达或已处理）', 'no such undelivered message of this unit in a state this applies to (it may have been delivered or dealt with)');
        return { status };
      },
    }),
  ),

  // ── The audit log ─────────────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/admin/units/:unit/audit', tag: 'admin',
    summary: 'The unit’s audit log, newest first: who (part of an email), what (an action or its group), when (from/to, Asia/Shanghai dates), year; `before` pages on',
    access: ADMIN,
    schema: {
      params: unitParams,
      querystring: z
        .object({
          who: z.string().trim().max(200).optional(),
          what: z.string().trim().max(100).optional(),
          from: z.iso.date({ message: bi('日期格式应为 YYYY-MM-DD', 'date must be YYYY-MM-DD') }).optional(),
          to: z.iso.date({ message: bi('日期格式应为 YYYY-MM-DD', 'date must be YYYY-MM-DD') }).optional(),
          year: z.coerce.number().int().min(2000).max(2100).optional(),
          before: id.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        })
        .strict(),
    },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const q = ctx.request.query as { who?: string; what?: string; from?: string; to?: string; year?: number; before?: number; limit: number };
      const unitIds = [unitIdOf(ctx, unit)];
      const [entries, actions] = await Promise.all([
        auditEntries(ctx.deps.db, {
          unitIds, ...(q.who ? { who: q.who } : {}), ...(q.what ? { what: q.what } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}),
          ...(q.year !== undefined ? { year: q.year } : {}), ...(q.before !== undefined ? { beforeId: q.before } : {}), limit: q.limit,
        }),
        auditActions(ctx.deps.db, unitIds),
      ]);
      return { entries, actions, next: entries.length === q.limit ? entries[entries.length - 1]!.id : null };
    },
  },
];
