/**
 * @module derive/rightsizing-samples
 * The run's `heapless_rightsizing_samples` points (families/rightsizing-samples), accumulated node
 * by node from the pod containers' series as derived: each value exactly as its own point is
 * written. Only the entries are kept (a few numbers a container), never a node's series.
 */
import type { Tags } from '#shared/model';
import type { NodeBatch, Series } from '#shared/derive/types';
import { Samples } from '#shared/derive/samples';
import { familyOf } from '#shared/derive/object';
import { SAMPLED_TAGS } from '#shared/derive/series';
import { escapeMeasurement, quoteString } from '#shared/encode/escape';
import { tagString } from '#shared/encode/line-protocol';
import {
  PART_CHARS,
  podCode,
  SAMPLES_MEASUREMENT,
  type KillEntry,
  storedTag,
} from '#shared/families/rightsizing-samples';

// The families' own objects: the samples hold them, so a pointer comparison finds each.
const CPU = familyOf('cpu/usage_rate');
const WORKING_SET = familyOf('memory/working_set');
const OOM_KILL = familyOf('restart/oom_kill');
const MEASUREMENT = escapeMeasurement(SAMPLES_MEASUREMENT);

interface Container {
  tags: Tags;
  /** The workload's name as InfluxDB stores it (pod names are kept relative to it). */
  workload: string;
  /** Per pod: its code (families/rightsizing-samples), millicores and bytes as JSON. */
  entries: Array<[string, string, string]>;
  kills?: KillEntry[];
}

export class RightsizingSamples {
  /** By `namespace\0kind\0name\0container`. */
  private readonly containers = new Map<string, Container>();

  /** `extraTags` (the shard) go on every point, so the shards' points stay distinct series. */
  constructor(
    private readonly clusterName: string | undefined,
    private readonly extraTags: Tags = {},
  ) {}

  add(batch: NodeBatch): void {
    for (const series of batch.series) if (series.tags['type'] === 'pod_container') this.addContainer(series);
  }

  private addContainer(series: Series): void {
    let cpu: number | null = null;
    let ws: number | null = null;
    let kill: number | undefined;
    const { families, values, tags, times, length } = Samples.of(series.samples);
    for (let i = 0; i < length; i++) {
      const f = families[i];
      const extra = tags?.[i];
      // The sampled fallback (a 10 s sample, tagged) is left out, as the routes' raw reads leave it.
      if (f === CPU) cpu = extra === SAMPLED_TAGS ? null : (values[i] as number);
      else if (f === WORKING_SET && !extra) ws = Math.round(values[i] as number);
      else if (f === OOM_KILL && times?.[i] !== undefined) kill = times[i];
    }
    if (cpu === null && ws === null && kill === undefined) return;
    const t = series.tags;
    const ns = t['namespace_name'] ?? '';
    const kind = t['workload_kind'] ?? '';
    const workload = t['workload_name'] ?? '';
    const container = t['container_name'] ?? '';
    const key = `${ns}\u0000${kind}\u0000${workload}\u0000${container}`;
    let c = this.containers.get(key);
    if (!c) {
      const tags = { namespace_name: ns, workload_kind: kind, workload_name: workload, container_name: container };
      c = {
        tags: { ...tags, ...this.extraTags, cluster_name: this.clusterName ?? '' },
        workload: storedTag(workload),
        entries: [],
      };
      this.containers.set(key, c);
    }
    const code = podCode(storedTag(t['pod_name'] ?? ''), c.workload);
    c.entries.push([
      JSON.stringify(code),
      cpu === null ? 'null' : JSON.stringify(cpu),
      ws === null ? 'null' : String(ws),
    ]);
    if (kill !== undefined) (c.kills ??= []).push([code, kill]);
  }

  /** The run's lines (one a workload container, more for a long list of pods), at `timeMs`. */
  lines(timeMs: number): string[] {
    const out: string[] = [];
    for (const c of this.containers.values()) {
      let part = 0;
      // Kills are few (one a container at most): they go whole on the first point.
      const kills = c.kills ? `,k=${quoteString(JSON.stringify(c.kills))}` : '';
      for (const json of parts(c.entries)) {
        const tags = part === 0 ? c.tags : { ...c.tags, part: String(part) };
        out.push(`${MEASUREMENT}${tagString(tags)} v=${quoteString(json)}${part === 0 ? kills : ''} ${timeMs}`);
        part++;
      }
    }
    return out;
  }
}

/** The entries as JSON columns `[[pods],[millicores],[bytes]]` of at most PART_CHARS characters each (one entry alone may pass it). */
function parts(entries: ReadonlyArray<[string, string, string]>): string[] {
  const out: string[] = [];
  let from = 0;
  let chars = 0;
  const flush = (to: number): void => {
    const cut = entries.slice(from, to);
    out.push(
      `[[${cut.map((e) => e[0]).join(',')}],[${cut.map((e) => e[1]).join(',')}],[${cut.map((e) => e[2]).join(',')}]]`,
    );
    [from, chars] = [to, 0];
  };
  for (const [i, e] of entries.entries()) {
    const n = e[0].length + e[1].length + e[2].length + 3;
    if (i > from && chars + n + 8 > PART_CHARS) flush(i);
    chars += n;
  }
  if (entries.length > from) flush(entries.length);
  return out;
}
