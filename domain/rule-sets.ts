/**
 * The scoring rule sets selfeval knows, by id. A unit-year names the one it is scored under
 * (`ruleSet`); without one it is the Hunan department-wide set.
 */
import { HUNAN_DEPARTMENT_RULE_SET, type ScoringRuleSet } from './scoring';
import { HUNAN_S6_2018_RULE_SET } from './rule-sets/hunan-s6-2018';

export const DEFAULT_RULE_SET_ID = HUNAN_DEPARTMENT_RULE_SET.id;

const builtIn: ReadonlyMap<string, ScoringRuleSet> = new Map([
  [HUNAN_DEPARTMENT_RULE_SET.id, HUNAN_DEPARTMENT_RULE_SET],
  [HUNAN_S6_2018_RULE_SET.id, HUNAN_S6_2018_RULE_SET],
]);

export function ruleSetById(id: string): ScoringRuleSet | undefined {
  return builtIn.get(id);
}

export function ruleSetIds(): string[] {
  return [...builtIn.keys()];
}

/** The rule set a unit-year is scored under. */
export function ruleSetOf(doc: { ruleSet?: string | undefined }): ScoringRuleSet {
  return ruleSetById(doc.ruleSet ?? DEFAULT_RULE_SET_ID) ?? HUNAN_DEPARTMENT_RULE_SET;
}
