/**
 * @module entry
 * What every function's entry point does before and after its work: `--help`, `--version`,
 * reading the settings once (every problem in one `config_invalid` line, exit 2), the JSON logger
 * with the secrets it must never print, and exit codes: problems only the operator can fix (a
 * missing or malformed kubeconfig, no cluster, a 401, an API server that refuses or never answers,
 * an InfluxDB nothing answers at (collect without a spool), a file a setting names that is not
 * there) end in one line with a hint and exit 2, like settings.
 * Entry files stay a few lines long.
 */
import { helpText, type SettingsTable } from '#shared/config/settings';
import { ConfigError, asError, fileProblem } from '#shared/errors';
import { InfluxUnreachableError, influxProblem } from '#shared/influx/unreachable';
import { kubeProblem } from '#shared/kube/kube-errors';
import { createLogger, type Level, type Logger } from '#shared/log';

/** package.json's version, put in by esbuild's `define` (scripts/deploy-bundles.mjs). */
declare const __HEAPLESS_VERSION__: string | undefined;
/** The version `--version` prints; from source (not bundled) there is none to inject. */
export const VERSION: string = typeof __HEAPLESS_VERSION__ === 'string' ? __HEAPLESS_VERSION__ : '0.0.0-dev';

export interface EntrySpec<C> {
  fn: string;
  /** First line of `--help`. */
  title: string;
  settings: SettingsTable;
  read(env: NodeJS.ProcessEnv, argv: readonly string[]): C;
  logLevel(config: C): Level;
  /** Values never to appear in a log line. */
  secrets(config: C): string[];
}

/** Exit code 2 for a bad configuration, as every function documents. */
export const EXIT_CONFIG = 2;

/**
 * Handles `--help` and the settings; returns the config and logger, or the exit code to end with.
 */
export function prepare<C>(spec: EntrySpec<C>, argv: readonly string[]): { config: C; log: Logger } | number {
  if (argv.includes('--version')) {
    process.stdout.write(`heapless ${spec.fn} ${VERSION}\n`);
    return 0;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `${helpText(spec.title, spec.settings)}\n  --version\n      print "heapless ${spec.fn} <version>" and exit\n`,
    );
    return 0;
  }
  let config: C;
  try {
    config = spec.read(process.env, argv);
  } catch (err) {
    return configInvalid(spec.fn, err);
  }
  return { config, log: createLogger({ fn: spec.fn, level: spec.logLevel(config), secrets: spec.secrets(config) }) };
}

/** Logs every configuration problem in one line; anything else is a bug and rethrown. */
export function configInvalid(fn: string, err: unknown): number {
  if (!(err instanceof ConfigError)) throw err;
  createLogger({ fn }).error('config_invalid', { problems: err.problems, hint: 'see --help' });
  return EXIT_CONFIG;
}

/** A function that runs once and exits (collect, events): its exit code, or 1 when it throws. */
export function runOnce<C>(spec: EntrySpec<C>, run: (config: C, log: Logger) => Promise<{ exitCode: number }>): void {
  const ready = prepare(spec, process.argv.slice(2));
  if (typeof ready === 'number') {
    process.exitCode = ready;
    return;
  }
  run(ready.config, ready.log).then(
    (r) => {
      process.exitCode = r.exitCode;
    },
    (err: unknown) => {
      process.exitCode = failed(ready.log, 'run_failed', err);
    },
  );
}

/**
 * Logs why a run (or a start) failed, in one line, and returns the exit code: 2 with a hint for
 * what the operator must fix (kubeProblem, fileProblem), 1 for anything else.
 */
export function failed(log: Logger, event: string, err: unknown): number {
  if (err instanceof InfluxUnreachableError && err.reported) return EXIT_CONFIG;
  const problem = kubeProblem(err) ?? influxProblem(err) ?? fileProblem(err);
  if (problem) {
    log.error(problem.event, { error: problem.error, hint: problem.hint });
    return EXIT_CONFIG;
  }
  const hint = (err as { hint?: unknown } | undefined)?.hint;
  log.error(event, {
    error: asError(err),
    errorName: asError(err).name,
    ...(typeof hint === 'string' ? { hint } : {}),
  });
  return 1;
}
