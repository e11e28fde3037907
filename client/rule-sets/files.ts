/**
 * Rule-set files as people write them: YAML (or JSON) text → the checked rule set, with every
 * problem placed on its line, so an administrator sees it next to the line that causes it. Also
 * reads the repository's built-in files and writes the module the pure domain loads them from.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { parseRuleSetFile, type RuleSetFile } from '../../domain/rule-set-file';
import type { ScoringRuleSet } from '../../domain/scoring';
import type { Problem } from '../../domain/validation';

/** A rule set is a page or two of text; anything near this size is not one. */
export const MAX_RULE_SET_BYTES = 256 * 1024;

export type ReadRuleSet =
  | { ok: true; file: RuleSetFile; ruleSet: ScoringRuleSet; data: unknown; sha256: string; text: string }
  | { ok: false; problems: Problem[] };

/** `indicators[3].rule.kind` → ['indicators', 3, 'rule', 'kind']. */
function keysOf(pathText: string): Array<string | number> {
  const keys: Array<string | number> = [];
  for (const m of pathText.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return keys;
}

/** The line of the deepest node the path reaches (1-based): a mapping entry's key line, a list item's first line. */
function lineOf(doc: Document, counter: LineCounter, pathText: string): number | undefined {
  const keys = keysOf(pathText);
  for (let n = keys.length; n >= 0; n--) {
    const last = keys[n - 1];
    const parent = n <= 1 ? doc.contents : doc.getIn(keys.slice(0, n - 1), true);
    if (n > 0 && typeof last === 'string' && isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
    }
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

export function readRuleSetText(text: string, options: { version?: number } = {}): ReadRuleSet {
  if (Buffer.byteLength(text, 'utf8') > MAX_RULE_SET_BYTES) {
    return { ok: false, problems: [{ path: '(file)', code: 'file_too_large', zh: `评分规则文件超过 ${MAX_RULE_SET_BYTES / 1024} KB`, en: `a rule-set file may be at most ${MAX_RULE_SET_BYTES / 1024} KB` }] };
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ path: '(file)', code: 'syntax', zh: `YAML 语法错误：${e.message}`, en: `YAML syntax error: ${e.message}`, line: counter.linePos(e.pos[0]).line })),
    };
  }
  let data: unknown;
  try {
    // A rule set needs no aliases; a file full of them is an attack, not a rule set.
    data = doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    return { ok: false, problems: [{ path: '(file)', code: 'aliases', zh: `评分规则文件不能使用 YAML 别名：${(e as Error).message}`, en: `rule-set files may not use YAML aliases: ${(e as Error).message}` }] };
  }
  const parsed = parseRuleSetFile(data, options);
  if (!parsed.ok) {
    const placed = parsed.problems.map((p): Problem => {
      const line = p.path === '(root)' ? undefined : lineOf(doc, counter, p.path);
      return line === undefined ? p : { ...p, line };
    });
    return { ok: false, problems: placed };
  }
  return { ok: true, file: parsed.file, ruleSet: parsed.ruleSet, data, sha256: createHash('sha256').update(text).digest('hex'), text };
}

/** Every `*.yaml` of a folder, checked; problems name their file. */
export function readRuleSetDir(dir: string): { files: Array<{ name: string; data: unknown; ruleSet: ScoringRuleSet }>; problems: Array<Problem & { file: string }> } {
  const files: Array<{ name: string; data: unknown; ruleSet: ScoringRuleSet }> = [];
  const problems: Array<Problem & { file: string }> = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const read = readRuleSetText(fs.readFileSync(path.join(dir, name), 'utf8'));
    if (read.ok) files.push({ name, data: read.data, ruleSet: read.ruleSet });
    else problems.push(...read.problems.map((p) => ({ ...p, file: name })));
  }
  const ids = new Map<string, string>();
  for (const f of files) {
    const key = `${f.ruleSet.id}@${f.ruleSet.version}`;
    if (ids.has(key)) problems.push({ file: f.name, path: 'id', code: 'duplicate_rule_set', zh: `与 ${ids.get(key)} 的标识和版本相同：${key}`, en: `same id and version as ${ids.get(key)}: ${key}` });
    ids.set(key, f.name);
  }
  return { files, problems };
}

/** The TypeScript module that carries the built-in files' data into the pure domain. */
export function builtInModuleSource(files: ReadonlyArray<{ name: string; data: unknown }>): string {
  const body = files.map((f) => `  // rule-sets/${f.name}\n  ${JSON.stringify(f.data)},`).join('\n');
  return `// Generated by \`npm run rule-sets:build\` from rule-sets/*.yaml — do not edit; edit the YAML files.\n// A test fails when this module and the files disagree.\nexport const builtInRuleSetFiles: readonly unknown[] = [\n${body}\n];\n`;
}
