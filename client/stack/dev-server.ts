/**
 * The Temporal server settings selfeval runs with, from `temporal-dynamic-config.yaml` beside this
 * file (the file docker-compose mounts into its server), as `temporal server start-dev` arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const DYNAMIC_CONFIG_FILE = path.join(__dirname, 'temporal-dynamic-config.yaml');

/** The file's settings: key → value (the file's format allows per-namespace constraints; selfeval uses none). */
export function dynamicConfig(file = DYNAMIC_CONFIG_FILE): Record<string, unknown> {
  const raw = parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  for (const [key, entries] of Object.entries(raw ?? {})) {
    const entry = Array.isArray(entries) && entries.length === 1 ? (entries[0] as { value?: unknown; constraints?: unknown }) : undefined;
    if (!entry || entry.value === undefined || entry.constraints !== undefined) {
      throw new Error(`${file}: ${key} must be a list of one { value: … } without constraints`);
    }
    settings[key] = entry.value;
  }
  return settings;
}

/** `--dynamic-config-value key=<JSON>` for each setting, for `temporal server start-dev`. */
export function devServerDynamicConfigArgs(file = DYNAMIC_CONFIG_FILE): string[] {
  return Object.entries(dynamicConfig(file)).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}
