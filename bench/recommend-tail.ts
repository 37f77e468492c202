/**
 * @module bench/recommend-tail
 * The stretch after the right-sizing rows as bench/recommend.ts reads it: the collector's
 * `heapless_rightsizing_samples` (one point per workload container and minute, from the same
 * per-pod values as the history) with the `heapless_run` points that say where they begin; or,
 * without them, the raw points of every pod container over the same minutes.
 */
import { CONTAINERS, cpuOf, pods, type Pod, type Shape, write, wsOf } from '#bench/recommend-history';
import { podCode, SAMPLES_MEASUREMENT, SAMPLES_RUN_FIELD } from '#shared/families/rightsizing-samples';
import { quoteString } from '#shared/encode/escape';

const MIN = 60_000;
const LINES_PER_WRITE = 20_000;
const REPLICAS = 10;

/** Every minute of `[fromMs, toMs]`. */
const minutes = (fromMs: number, toMs: number): number[] =>
  Array.from({ length: Math.floor((toMs - fromMs) / MIN) + 1 }, (_, i) => fromMs + i * MIN);

async function flush(url: string, db: string, lines: string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += LINES_PER_WRITE)
    await write(url, db, 'heapless', lines.slice(i, i + LINES_PER_WRITE));
}

/** The samples of every workload container at every minute of `[fromMs, toMs]`; the points written. */
export async function writeSamples(url: string, db: string, s: Shape, fromMs: number, toMs: number): Promise<number> {
  const all = pods(s);
  let points = 0;
  for (const t of minutes(fromMs, toMs)) {
    const lines: string[] = [];
    for (let w = 0; w * REPLICAS < all.length; w++) {
      const members = all.slice(w * REPLICAS, (w + 1) * REPLICAS);
      const first = members[0] as Pod;
      for (const [j, c] of CONTAINERS.entries()) {
        // Columns as the collector packs them (families/rightsizing-samples).
        const columns = [
          members.map((p) => podCode(p.name, p.workload)),
          members.map((_, r) => Number(cpuOf(w * REPLICAS + r, j, 0, t).toFixed(3))),
          members.map((_, r) => wsOf(w * REPLICAS + r, j, 0)),
        ];
        lines.push(
          `${SAMPLES_MEASUREMENT},container_name=${c},namespace_name=${first.ns},workload_kind=Deployment,workload_name=${first.workload} v=${quoteString(JSON.stringify(columns))} ${t}`,
        );
      }
    }
    lines.push(`heapless_run,fn=collect ${SAMPLES_RUN_FIELD}=${lines.length}i ${t}`);
    await flush(url, db, lines);
    points += lines.length - 1;
  }
  return points;
}

/** The raw CPU and working set of every pod container at every minute of `[fromMs, toMs]`. */
export async function writeRawTail(url: string, db: string, s: Shape, fromMs: number, toMs: number): Promise<void> {
  const all = pods(s);
  for (const t of minutes(fromMs, toMs)) {
    const lines = all.flatMap((p, i) =>
      CONTAINERS.flatMap((c, j) => {
        const tags = `container_name=${c},namespace_name=${p.ns},nodename=${p.node},pod_name=${p.name},type=pod_container,workload_kind=Deployment,workload_name=${p.workload}`;
        return [
          `cpu/usage_rate,${tags} value=${cpuOf(i, j, 0, t).toFixed(3)} ${t}`,
          `memory/working_set,${tags} value=${wsOf(i, j, 0)}i ${t}`,
        ];
      }),
    );
    await flush(url, db, lines);
  }
}
