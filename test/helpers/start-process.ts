/**
 * @module test/helpers/start-process
 * `npm start` itself (npm, its shell, node with tsx's loader running test/start.ts) in its own
 * process group, as a terminal runs it, with TMPDIR pointed at a folder of the test's own:
 * whatever it leaves behind is in there. `interrupt()` sends SIGINT to the whole group, as Ctrl-C
 * does; npm exits at once (130), so `stopped()` waits until every process of the group is gone.
 * npm runs with --silent so stdout holds only the JSON lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_DIR } from '#test/helpers/paths';

export interface StartProcess {
  proc: ChildProcess;
  /** The TMPDIR it was given (empty again once it has stopped cleanly). */
  tmp: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with stderr once `text` appears on it; rejects on exit or after `ms`. */
  waitFor(text: string | RegExp, ms: number): Promise<string>;
  /** SIGINT to the process group; resolves with the exit code. */
  interrupt(): Promise<number | null>;
  exited: Promise<number | null>;
  /** Kills whatever is left (SIGKILL to the group) and removes the TMPDIR. */
  cleanup(): void;
}

export function spawnStart(env: Record<string, string | undefined> = {}, args: string[] = []): StartProcess {
  const tmp = mkdtempSync(join(tmpdir(), 'heapless-starttest-'));
  const { KUBECONFIG: _k, INFLUX_URL: _i, ...inherited } = process.env;
  const proc = spawn('npm', ['start', '--silent', ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: PROJECT_DIR,
    env: { ...inherited, TMPDIR: tmp, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // As a shell reports it: killed by a signal is 128 + its number (npm dies of Ctrl-C's SIGINT: 130).
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : null))),
  );
  const group = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-(proc.pid as number), signal);
    } catch {
      // the group is already gone
    }
  };
  return {
    proc,
    tmp,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (text, ms) =>
      new Promise((resolve, reject) => {
        const found = (): boolean => (typeof text === 'string' ? err.includes(text) : text.test(err));
        const timer = setInterval(() => {
          if (found()) finish(() => resolve(err));
          else if (proc.exitCode !== null)
            finish(() => reject(new Error(`start exited ${proc.exitCode}: ${err}${out}`)));
        }, 100);
        const deadline = setTimeout(() => finish(() => reject(new Error(`no ${text} within ${ms} ms: ${err}`))), ms);
        const finish = (then: () => void): void => {
          clearInterval(timer);
          clearTimeout(deadline);
          then();
        };
      }),
    interrupt: async () => {
      group('SIGINT');
      return exited;
    },
    cleanup: () => {
      group('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Is any process of the group still alive? (signal 0 only checks) */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Command lines of every process that names `text` (e.g. an influxd with a config in the TMPDIR). */
export function processesNaming(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
