/**
 * The rule sets selfeval knows: the built-in ones (with the code) and those an administrator
 * added (stored, one row per version, never changed). `ruleSetCatalog` reads them into a lookup
 * the pure domain can use (by id, latest version unless one is given).
 */
import { sql } from 'kysely';
import { BUILT_IN_RULE_SETS, type RuleSetLookup } from '../domain/rule-sets';
import { ScoringRuleSet } from '../domain/scoring';
import type { Db } from './connection';
import { audit } from './evaluations.repository';

export interface RuleSetSummary {
  id: string;
  version: number;
  name: string;
  region: string;
  scope: 'department' | 'project';
  fiscalYears: { from: number; to: number } | null;
  totalCp: number;
  indicatorCount: number;
  builtIn: boolean;
  sha256: string | null;
  createdBy: string | null;
  createdAt: string | null;
}

const summaryOf = (s: ScoringRuleSet, stored?: { sha256: string; created_by: string; created_at: Date }): RuleSetSummary => ({
  id: s.id,
  version: s.version,
  name: s.name ?? s.id,
  region: s.region,
  scope: s.scope,
  fiscalYears: s.fiscalYears ?? null,
  totalCp: s.totalCp,
  indicatorCount: s.indicators.length,
  builtIn: stored === undefined,
  sha256: stored?.sha256 ?? null,
  createdBy: stored?.created_by ?? null,
  createdAt: stored ? new Date(stored.created_at).toISOString() : null,
});

async function storedRows(db: Db) {
  return db.selectFrom('rule_sets').select(['id', 'version', 'sha256', 'definition', 'created_by', 'created_at']).orderBy('id').orderBy('version').execute();
}

/** Every rule set, built-in and stored, each version; built-ins first. */
export async function listRuleSets(db: Db): Promise<RuleSetSummary[]> {
  const stored = await storedRows(db);
  return [...BUILT_IN_RULE_SETS.map((s) => summaryOf(s)), ...stored.map((r) => summaryOf(ScoringRuleSet.parse(r.definition), r))];
}

/** All rule sets as one lookup: by id, the latest version unless one is given. */
export async function ruleSetCatalog(db: Db): Promise<RuleSetLookup & { all: readonly ScoringRuleSet[] }> {
  const all = [...BUILT_IN_RULE_SETS, ...(await storedRows(db)).map((r) => ScoringRuleSet.parse(r.definition))];
  const lookup = (id: string, version?: number) => all.filter((s) => s.id === id && (version === undefined || s.version === version)).sort((a, b) => b.version - a.version)[0];
  return Object.assign(lookup, { all });
}

/** The stored file of a version (built-ins have theirs in the repository's rule-sets/). */
export async function ruleSetSource(db: Db, id: string, version: number): Promise<string | undefined> {
  return (await db.selectFrom('rule_sets').select('source').where('id', '=', id).where('version', '=', version).executeTakeFirst())?.source;
}

/**
 * Stores a checked rule set as the next version of its id (after every built-in and stored one).
 * The same file again (same sha256) returns the stored version and adds nothing.
 */
export async function addRuleSet(
  db: Db,
  input: { ruleSet: ScoringRuleSet; source: string; sha256: string; actor: string },
): Promise<{ id: string; version: number; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    // One writer per id at a time, so two uploads cannot take the same version.
    await sql`select pg_advisory_xact_lock(hashtext(${`rule-set:${input.ruleSet.id}`}))`.execute(trx);
    const again = await trx.selectFrom('rule_sets').select('version').where('id', '=', input.ruleSet.id).where('sha256', '=', input.sha256).executeTakeFirst();
    if (again) return { id: input.ruleSet.id, version: again.version, created: false };
    const storedMax = (await trx.selectFrom('rule_sets').select((eb) => eb.fn.max('version').as('v')).where('id', '=', input.ruleSet.id).executeTakeFirst())?.v ?? 0;
    const builtInMax = Math.max(0, ...BUILT_IN_RULE_SETS.filter((s) => s.id === input.ruleSet.id).map((s) => s.version));
    const version = Math.max(Number(storedMax), builtInMax) + 1;
    const definition = { ...input.ruleSet, version };
    await trx
      .insertInto('rule_sets')
      .values({ id: input.ruleSet.id, version, sha256: input.sha256, name: input.ruleSet.name ?? input.ruleSet.id, source: input.source, definition: JSON.stringify(definition), created_by: input.actor })
      .execute();
    await audit(trx, { actor: input.actor, unitId: null, action: 'rule_set.add', subject: `rule-set/${input.ruleSet.id}/${version}`, details: { sha256: input.sha256, name: definition.name ?? null } });
    return { id: input.ruleSet.id, version, created: true };
  });
}

/**
 * The rule set an evaluation is scored under: the version it recorded when it started, else
 * (an evaluation from before versions were recorded, or none yet) the unit-year's current choice.
 */
export async function pinnedRuleSet(db: Db, unitYearId: number): Promise<{ id: string; version: number } | undefined> {
  const row = await db.selectFrom('evaluations').select(['rule_set_id', 'rule_set_version']).where('unit_year_id', '=', unitYearId).executeTakeFirst();
  return row?.rule_set_id && row.rule_set_version ? { id: row.rule_set_id, version: row.rule_set_version } : undefined;
}

/** Records the rule set and version an evaluation is scored under (at its start, or when re-scored). */
export async function pinRuleSet(db: Db, input: { workflowId: string; id: string; version: number; actor: string; reason?: string; unitId: number | null }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('evaluations').select(['rule_set_id', 'rule_set_version']).where('workflow_id', '=', input.workflowId).executeTakeFirst();
    if (before?.rule_set_id === input.id && before.rule_set_version === input.version) return;
    await trx.updateTable('evaluations').set({ rule_set_id: input.id, rule_set_version: input.version, updated_at: new Date() }).where('workflow_id', '=', input.workflowId).execute();
    await audit(trx, {
      actor: input.actor, unitId: input.unitId, action: 'evaluation.rule_set', subject: input.workflowId,
      details: { from: before?.rule_set_id ? `${before.rule_set_id}@${before.rule_set_version}` : null, to: `${input.id}@${input.version}`, reason: input.reason ?? null },
      dedupeKey: null,
    });
  });
}

/**
 * What an evaluation is scored and reported under, recorded when it opens (a retried or restarted
 * open keeps what the first one recorded): the rule set's version and the report outline.
 */
export async function pinEvaluationChoices(db: Db, input: { workflowId: string; unitId: number; actor: string; ruleSet: { id: string; version: number }; outline: string }): Promise<{ ruleSet: { id: string; version: number }; outline: string }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('evaluations').select(['rule_set_id', 'rule_set_version', 'outline']).where('workflow_id', '=', input.workflowId).forUpdate().executeTakeFirstOrThrow();
    const ruleSet = row.rule_set_id && row.rule_set_version ? { id: row.rule_set_id, version: row.rule_set_version } : input.ruleSet;
    const outline = row.outline ?? input.outline;
    if (!row.rule_set_id || !row.outline) {
      await trx.updateTable('evaluations').set({ rule_set_id: ruleSet.id, rule_set_version: ruleSet.version, outline, updated_at: new Date() }).where('workflow_id', '=', input.workflowId).execute();
      await audit(trx, { actor: input.actor, unitId: input.unitId, action: 'evaluation.pinned', subject: input.workflowId, details: { ruleSet: `${ruleSet.id}@${ruleSet.version}`, outline }, dedupeKey: `${input.workflowId}|pinned` });
    }
    return { ruleSet, outline };
  });
}
