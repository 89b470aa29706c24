// Builds Settings from defaults, an optional config file (TOML or JSON), INFERNO_* environment
// variables and command-line flags, in that order of precedence. Any invalid value throws
// ConfigError naming the setting, the value and what is accepted.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import { ConfigError } from '../core/errors.js';
import { SETTINGS } from './schema.js';
import type { SettingSpec, Settings } from './schema.js';

export interface ParsedCommandLine {
  settings: Settings;
  help: boolean;
  configFile?: string;
  /** Arguments left after the options (subcommand operands). */
  positionals: string[];
}

export interface ExtraOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

/** Reads a config file: `.json` as JSON, anything else as TOML. Keys are snake_case. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError('config', path, `a readable TOML or JSON file (${code})`);
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseToml(text);
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    throw new ConfigError('config', path, `valid ${path.endsWith('.json') ? 'JSON' : 'TOML'} (${first})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError('config', path, 'a table of settings');
  }
  return data as Record<string, unknown>;
}

function assign(target: Partial<Settings>, spec: SettingSpec, raw: unknown): void {
  (target as Record<string, unknown>)[spec.key] = spec.parse(raw);
}

/**
 * Parses argv (without the subcommand) and the environment into Settings.
 * `extra` adds subcommand-specific options; their values are returned in `values`.
 */
export function loadSettings(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  extra: Record<string, ExtraOption> = {},
): ParsedCommandLine & { values: Record<string, unknown> } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
    config: { type: 'string', short: 'c' },
    ...extra,
  };
  for (const s of SETTINGS) options[s.flag] = { type: 'string', ...(s.multiple ? { multiple: true } : {}) };

  // `--flag -1` is a value, not an option: join string options to their next argument so
  // negative numbers reach the setting's own validation instead of a generic parse error.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const opt = a.startsWith('--') && !a.includes('=') ? options[a.slice(2)] : undefined;
    if (opt?.type === 'string' && i + 1 < argv.length) args.push(`${a}=${argv[++i]}`);
    else args.push(a);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0] ?? 'bad arguments';
    const m = /'(-{1,2}[^']+)'/.exec(msg);
    throw new ConfigError('option', m ? m[1] : argv.join(' '), 'the options listed by --help');
  }
  const v = parsed.values as Record<string, unknown>;

  const settings: Partial<Settings> = {};
  for (const s of SETTINGS) if (s.default !== undefined) (settings as Record<string, unknown>)[s.key] = s.default;

  const configFile = (v.config as string | undefined) ?? env.INFERNO_CONFIG;
  if (configFile) {
    const file = readConfigFile(configFile);
    for (const [k, raw] of Object.entries(file)) {
      const spec = SETTINGS.find((s) => s.file === k);
      if (!spec) {
        throw new ConfigError(`config key '${k}'`, raw, `one of ${SETTINGS.map((s) => s.file).join(', ')}`);
      }
      assign(settings, spec, raw);
    }
  }
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw !== undefined && raw !== '') assign(settings, s, raw);
  }
  for (const s of SETTINGS) {
    if (v[s.flag] !== undefined) assign(settings, s, v[s.flag]);
  }
  const values: Record<string, unknown> = {};
  for (const k of Object.keys(extra)) values[k] = v[k];
  return {
    settings: settings as Settings,
    help: v.help === true,
    configFile,
    positionals: parsed.positionals,
    values,
  };
}
