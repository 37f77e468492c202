/**
 * @module config/settings
 * Settings are declared as a table (env name, help, default, parser). The same table gives the
 * environment variables, the command-line flags (`INFLUX_URL` ⇄ `--influx-url`) and `--help`.
 * Reading validates everything once and throws one ConfigError listing every problem.
 */
import { ConfigError } from '#shared/errors';
import { bool, type Parser } from '#shared/config/parsers';

export interface Setting<T> {
  env: string;
  help: string;
  /** Raw default, parsed like any other value; omitted = required. */
  default?: string;
  parse: Parser<T>;
  /** Never echoed back in errors or help. */
  secret?: boolean;
}

export type SettingsTable = Record<string, Setting<unknown>>;
export type SettingsOf<T extends SettingsTable> = { [K in keyof T]: T[K] extends Setting<infer V> ? V : never };

export function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

/** `INFLUX_URL` → `--influx-url`. Underscores are accepted too, as pflag did for Heapster. */
export function flagName(env: string): string {
  return '--' + env.toLowerCase().replace(/_/g, '-');
}

/**
 * Parses `--name=value`, `--name value` and bare boolean `--name` into env-style keys. A bare
 * flag means `true` only for a true/false setting; any other flag without a value is a problem
 * naming the flag (`--influx-url needs a value`), not the value "true" failing its parser.
 */
export function parseArgv(
  argv: readonly string[],
  table: SettingsTable,
): { values: Record<string, string>; problems: string[]; help: boolean } {
  const byFlag = new Map(Object.values(table).map((s) => [flagName(s.env), s]));
  const values: Record<string, string> = {};
  const problems: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const [rawName, inline] = splitOnce(arg, '=');
    const setting = byFlag.get(rawName.replace(/_/g, '-'));
    if (!setting) {
      problems.push(`unknown flag ${rawName} (see --help)`);
      continue;
    }
    const next = argv[i + 1];
    if (inline !== undefined) values[setting.env] = inline;
    else if (next !== undefined && !next.startsWith('--')) values[setting.env] = argv[++i] as string;
    else if (setting.parse === bool) values[setting.env] = 'true';
    else problems.push(`${rawName} needs a value: ${rawName}=<value> or ${rawName} <value> (${setting.env})`);
  }
  return { values, problems, help };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
}

/** Reads the table from flags (first) and the environment; throws one ConfigError with every problem. */
export function readSettings<T extends SettingsTable>(
  table: T,
  env: NodeJS.ProcessEnv,
  argv: readonly string[] = [],
): SettingsOf<T> {
  const parsed = parseArgv(argv, table);
  const problems = [...parsed.problems];
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(table)) {
    const raw = parsed.values[s.env] ?? env[s.env] ?? s.default;
    if (raw === undefined) {
      problems.push(`${s.env} (${flagName(s.env)}) is required: ${s.help}`);
      continue;
    }
    try {
      out[key] = s.parse(raw);
    } catch (err) {
      const shown = s.secret ? '' : ` ${JSON.stringify(withoutUserinfo(raw))}`;
      problems.push(`${s.env}${shown}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as SettingsOf<T>;
}

/** The `--help` text: one block per setting with its flag, env name, default and meaning. */
export function helpText(title: string, table: SettingsTable): string {
  const lines = [title, '', 'Every setting is a flag or an environment variable (flags win):', ''];
  for (const s of Object.values(table)) {
    const def = s.default === undefined ? 'required' : s.default === '' ? 'unset' : `default ${s.default}`;
    lines.push(`  ${flagName(s.env)}  (${s.env}, ${def})`, `      ${s.help}`);
  }
  return lines.join('\n');
}

/** `scheme://user:pass@host` → `scheme://***@host`: a value echoed in an error never shows credentials. */
export function withoutUserinfo(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}
