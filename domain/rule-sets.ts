/**
 * The scoring rule sets built into selfeval, by id and version: the files of `rule-sets/` in the
 * repository (carried into this pure module by `npm run rule-sets:build`). Rule sets an
 * administrator adds are stored in Postgres (db/rule-sets.repository.ts) and looked up there;
 * code that reads a unit-year from files only (`selfeval check`, file imports) knows the
 * built-in ones and those passed in.
 *
 * A unit-year names the one it is scored under (`ruleSet`); without one it is the Hunan
 * department-wide set.
 */
import { parseRuleSetFile } from './rule-set-file';
import { builtInRuleSetFiles } from './rule-sets/built-in.generated';
import type { ScoringRuleSet } from './scoring';

function load(): ScoringRuleSet[] {
  return builtInRuleSetFiles.map((data, i) => {
    const parsed = parseRuleSetFile(data);
    // The build checks every file; a bad one here means the module was edited by hand.
    if (!parsed.ok) throw new Error(`built-in rule set #${i} is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.en}`).join('; ')}`);
    return parsed.ruleSet;
  });
}

/** Every built-in rule set, each version. */
export const BUILT_IN_RULE_SETS: readonly ScoringRuleSet[] = load();

/** Looks a rule set up by id (latest version unless one is given). */
export type RuleSetLookup = (id: string, version?: number) => ScoringRuleSet | undefined;

function latest(sets: readonly ScoringRuleSet[], id: string, version?: number): ScoringRuleSet | undefined {
  const same = sets.filter((s) => s.id === id && (version === undefined || s.version === version));
  return same.sort((a, b) => b.version - a.version)[0];
}

export const ruleSetById: RuleSetLookup = (id, version) => latest(BUILT_IN_RULE_SETS, id, version);

export const DEFAULT_RULE_SET_ID = 'hunan-department-2020';

/** The Hunan department-wide rule set (the default). */
export const HUNAN_DEPARTMENT_RULE_SET: ScoringRuleSet = ruleSetById(DEFAULT_RULE_SET_ID)!;

export function ruleSetIds(): string[] {
  return [...new Set(BUILT_IN_RULE_SETS.map((s) => s.id))];
}

/** The rule set a unit-year is scored under (built-in lookup unless another is given). */
export function ruleSetOf(doc: { ruleSet?: string | undefined }, lookup: RuleSetLookup = ruleSetById): ScoringRuleSet {
  return lookup(doc.ruleSet ?? DEFAULT_RULE_SET_ID) ?? HUNAN_DEPARTMENT_RULE_SET;
}
