/**
 * The Temporal server settings selfeval runs with, from `temporal-dynamic-config.yaml` beside this
 * file (the file docker-compose mounts into its server), as `temporal server start-dev` arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Beside this module under tsx; from `dist/client/stack/` (compiled), the source file it was built from. */
export const DYNAMIC_CONFIG_FILE = [path.join(__dirname, 'temporal-dynamic-config.yaml'), path.resolve(__dirname, '../../../client/stack/temporal-dynamic-config.yaml')].find((f) => fs.existsSync(f)) ?? path.join(__dirname, 'temporal-dynamic-config.yaml');

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

export interface DevServerOptions {
  port: number;
  /** The SQLite file of its history; in memory when absent. */
  dbFilename?: string;
  /** The web UI's port; no UI when absent. */
  uiPort?: number;
  namespace?: string;
  logLevel?: 'warn' | 'error';
}

/** `temporal server start-dev` arguments for a dev server on 127.0.0.1 with selfeval's settings. */
export function devServerArgs(o: DevServerOptions): string[] {
  return [
    'server', 'start-dev',
    ...(o.uiPort === undefined ? ['--headless'] : ['--ui-port', String(o.uiPort)]),
    '--ip', '127.0.0.1',
    '--port', String(o.port),
    ...(o.dbFilename ? ['--db-filename', o.dbFilename] : []),
    '--namespace', o.namespace ?? 'default',
    '--log-level', o.logLevel ?? 'error',
    ...devServerDynamicConfigArgs(),
  ];
}
