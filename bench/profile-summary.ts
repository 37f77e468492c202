/**
 * @module bench/profile-summary
 * Self time of a V8 .cpuprofile, by source module and by function. The module of a frame comes
 * from the `// path/to/module.ts` comments esbuild writes into an unminified bundle; frames of
 * Node itself are grouped by their `node:` URL, and V8's own rows ("(garbage collector)",
 * "(idle)", "(program)") stand for themselves.
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimes {
  totalMs: number;
  /** Share of all samples, in percent, by module; largest first. */
  byModule: Array<{ module: string; ms: number; pct: number }>;
  byFunction: Array<{ fn: string; module: string; ms: number; pct: number }>;
}

export function selfTimes(profile: CpuProfile, bundleText: string, top = 25): SelfTimes {
  const modules = moduleStarts(bundleText);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const mod = new Map<string, number>();
  const fn = new Map<string, { module: string; us: number }>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const m = moduleOf(frame, modules);
    total += us;
    mod.set(m, (mod.get(m) ?? 0) + us);
    const key = `${frame.functionName || '(anonymous)'} ${m}:${frame.lineNumber + 1}`;
    const f = fn.get(key) ?? { module: m, us: 0 };
    f.us += us;
    fn.set(key, f);
  }
  const pct = (us: number) => Math.round((us / total) * 1000) / 10;
  return {
    totalMs: Math.round(total / 1000),
    byModule: [...mod]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(([module, us]) => ({ module, ms: Math.round(us / 1000), pct: pct(us) })),
    byFunction: [...fn]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([k, f]) => ({ fn: k, module: f.module, ms: Math.round(f.us / 1000), pct: pct(f.us) })),
  };
}

/** [first line (1-based), module] of every module in an unminified esbuild bundle, in order. */
function moduleStarts(text: string): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  text.split('\n').forEach((line, i) => {
    const m = /^\/\/ ((?:shared|functions|node_modules)\/\S+)$/.exec(line);
    if (m?.[1]) out.push([i + 1, packageOf(m[1])]);
  });
  return out;
}

/** Our own modules by path; a dependency by its package name. */
function packageOf(path: string): string {
  if (!path.startsWith('node_modules/')) return path;
  const parts = path.split('/');
  return parts[1]?.startsWith('@') ? `${parts[1]}/${parts[2]}` : (parts[1] ?? path);
}

function moduleOf(frame: CallFrame, starts: Array<[number, string]>): string {
  if (!frame.url) return frame.functionName || '(native)';
  if (frame.url.startsWith('node:')) return frame.url.split('/').slice(0, 2).join('/');
  if (!frame.url.endsWith('.mjs')) return frame.url;
  const line = frame.lineNumber + 1;
  let lo = 0;
  let hi = starts.length - 1;
  let found = '(bundle prelude)';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = starts[mid] as [number, string];
    if (s[0] <= line) {
      found = s[1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
