/**
 * @module sim/usage-curves
 * CPU usage curves whose integral is exact and closed-form: a daily cycle, "noise" (sinusoids of
 * short, unrelated periods), and rectangular bursts. The CPU counter is the integral of the curve,
 * so the true mean usage over any interval is (counter at its end − counter at its start) ÷ its
 * length, computable without sampling. Times are epoch ms; a curve reads them in seconds from its
 * `originMs`, so the trigonometry stays on small arguments.
 */

export const DAY_S = 86_400;

/** One sinusoid: `amplitude` millicores (or bytes), `periodS` seconds, `phaseS` seconds. */
export interface Wave {
  amplitude: number;
  periodS: number;
  phaseS: number;
}

/** Rectangular bursts: `height` millicores for `durationS` every `periodS`, from `offsetS`. */
export interface Bursts {
  height: number;
  periodS: number;
  durationS: number;
  offsetS: number;
}

/** CPU usage in millicores: `base` + waves + bursts. Keep base ≥ Σ |amplitudes| (never negative). */
export interface CpuShape {
  originMs: number;
  base: number;
  waves: readonly Wave[];
  bursts?: Bursts;
}

/** Usage in millicores at an instant (the curve itself). */
export function cpuRateAt(shape: CpuShape, ms: number): number {
  const x = (ms - shape.originMs) / 1000;
  let r = shape.base;
  for (const w of shape.waves) r += w.amplitude * Math.sin((2 * Math.PI * (x - w.phaseS)) / w.periodS);
  const b = shape.bursts;
  if (b && mod(x - b.offsetS, b.periodS) < b.durationS) r += b.height;
  return r;
}

/** CPU time used in (fromMs, toMs], millicore·seconds: the exact integral of the curve. */
export function cpuUsed(shape: CpuShape, fromMs: number, toMs: number): number {
  return primitive(shape, (toMs - shape.originMs) / 1000) - primitive(shape, (fromMs - shape.originMs) / 1000);
}

function primitive(shape: CpuShape, x: number): number {
  let v = shape.base * x;
  for (const w of shape.waves)
    v -= ((w.amplitude * w.periodS) / (2 * Math.PI)) * Math.cos((2 * Math.PI * (x - w.phaseS)) / w.periodS);
  const b = shape.bursts;
  if (b) {
    const y = x - b.offsetS;
    v += b.height * (Math.floor(y / b.periodS) * b.durationS + Math.min(mod(y, b.periodS), b.durationS));
  }
  return v;
}

/** A gauge made of a base and waves at an instant (memory), never below `floor`. */
export function waveGauge(base: number, waves: readonly Wave[], originMs: number, ms: number, floor = 0): number {
  const x = (ms - originMs) / 1000;
  let v = base;
  for (const w of waves) v += w.amplitude * Math.sin((2 * Math.PI * (x - w.phaseS)) / w.periodS);
  return Math.max(floor, Math.floor(v));
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** A small deterministic generator (mulberry32) for phases and offsets from a seed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
