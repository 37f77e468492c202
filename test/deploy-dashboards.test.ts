/**
 * The Grafana dashboards: ours (deploy/grafana, generated) and Heapster's two originals, unchanged.
 * Every query names only measurements, types, tags and fields that heapless writes, and every
 * panel, variable and annotation query returns data from a simulated collection in a real influxd.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAMILY_BY_NAME } from '#shared/families/catalogue';
import { containerTags, nodeTags, nsTags, podTags, sysContainerTags, workloadTags } from '#shared/derive/tags';
import { encodeRunStats, newRunStats } from '#shared/collect/run-stats';
import { encodeEventsRunStats, newEventsRunStats } from '#shared/events/run-stats';
import { encodeEvent } from '#shared/events/encode';
import { readEventsConfig } from '#shared/events/events-settings';
import { runEvents } from '#shared/events/run';
import type { InfluxClient, QueryResult } from '#shared/influx/client';
import { createLogger } from '#shared/log';
import { collected, collectedTwice, type Collected } from '#test/helpers/collected';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup } from '#shared/rollup/run';
import { freshDatabase, writeLines } from '#test/helpers/influx';
import {
  customValuesOf,
  fillQuery,
  namesIn,
  queriesOf,
  readDashboard,
  variablesOf,
  type FillContext,
} from '#test/helpers/dashboards';
import { FIXTURES_DIR, PROJECT_DIR } from '#test/helpers/paths';
import { buildDashboards, dashboardFile } from '../deploy/grafana/src/index';
import { anyDayStartMs } from '#test/helpers/any-day';

const OURS_DIR = join(PROJECT_DIR, 'deploy', 'grafana', 'dashboards');
const OURS = readdirSync(OURS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const DASHBOARDS = [
  ...OURS.map((f) => ({ name: f, dashboard: readDashboard(join(OURS_DIR, f)) })),
  ...['cluster.json', 'pods.json'].map((f) => ({
    name: `heapster-grafana/${f}`,
    dashboard: readDashboard(join(FIXTURES_DIR, 'heapster-grafana', f)),
  })),
];

// --- what heapless writes, from the code that writes it --------------------------------------

type Schema = { tags: Set<string>; fields: Set<string> };

function parseLine(line: string): { measurement: string; tags: string[]; fields: string[] } {
  const [head = '', fieldPart = ''] = line.split(' ');
  const [measurement = '', ...tags] = head.split(',');
  return {
    measurement,
    tags: tags.map((t) => t.split('=')[0] as string),
    fields: fieldPart.split(',').map((f) => f.split('=')[0] as string),
  };
}

/** Tag keys per object type, as derive/tags.ts builds them, plus cluster_name. */
const TAG_KEYS: Record<string, string[]> = {
  node: Object.keys(nodeTags('n', { a: 'b' })),
  sys_container: Object.keys(sysContainerTags('n', 'kubelet')),
  pod: Object.keys(podTags('n', 'ns', 'p', undefined)),
  pod_container: Object.keys(containerTags(podTags('n', 'ns', 'p', undefined), 'c', undefined)),
  ns: Object.keys(nsTags('ns')),
  workload: Object.keys(workloadTags('ns', 'Deployment', 'w')),
  cluster: ['type'],
};

/** The two non-family measurements dashboards read, from their encoders. */
const OTHER: Record<string, Schema> = (() => {
  const lines = [
    encodeRunStats('collect', newRunStats(), 0, 'c', { shard: '0' }),
    encodeEventsRunStats(newEventsRunStats(), 0, 'c'),
    encodeEvent(
      {
        uid: 'u',
        namespace: 'n',
        kind: 'Pod',
        objectName: 'o',
        objectUid: 'ou',
        type: 'Warning',
        reason: 'r',
        component: 'c',
        host: 'h',
        message: 'm',
        count: 1,
        lastMs: 0,
        listed: {},
      },
      'withfields',
      'c',
    ),
  ];
  const out: Record<string, Schema> = {};
  for (const l of lines) {
    const p = parseLine(l);
    const s = (out[p.measurement] ??= { tags: new Set(), fields: new Set() });
    p.tags.forEach((t) => s.tags.add(t));
    p.fields.forEach((f) => s.fields.add(f));
  }
  return out;
})();

/** Problems with what one query names; empty when everything exists. */
function unknownNames(query: string): string[] {
  const names = namesIn(query);
  const problems: string[] = [];
  const allowedTags = new Set<string>();
  const allowedSelected = new Set<string>();
  for (const m of names.measurements) {
    const family = FAMILY_BY_NAME.get(m);
    const other = OTHER[m];
    if (family) {
      // A listing (SHOW TAG VALUES) may span types; a SELECT must pick one, or it mixes them.
      const listing = /^\s*SHOW\b/i.test(query);
      if (names.types.length === 0 && !listing)
        problems.push(`${m}: no "type" condition (series of several object types would be mixed)`);
      for (const t of names.types.length === 0 && listing ? Object.keys(family.types) : names.types) {
        if (!(t in family.types)) problems.push(`${m} is not written for type ${t}`);
        for (const k of [...(TAG_KEYS[t] ?? []), 'cluster_name', ...(family.labels ?? [])]) allowedTags.add(k);
      }
      allowedSelected.add('value');
    } else if (other) {
      other.tags.forEach((t) => allowedTags.add(t));
      other.tags.forEach((t) => allowedSelected.add(t));
      other.fields.forEach((f) => allowedSelected.add(f));
    } else {
      problems.push(`measurement ${m} is not in the families table`);
    }
  }
  for (const t of names.tags)
    if (!allowedTags.has(t))
      problems.push(
        `tag ${t} is not written on ${names.measurements.join(', ')} (type ${names.types.join(', ') || '-'})`,
      );
  for (const f of names.selected)
    if (!allowedSelected.has(f)) problems.push(`${f} is neither a field nor a tag of ${names.measurements.join(', ')}`);
  return problems;
}

describe('dashboard files', () => {
  it('deploy/grafana/dashboards holds exactly what deploy/grafana/src generates', () => {
    // Prepare
    const built = buildDashboards();
    // Assess
    expect(OURS).toEqual(Object.keys(built).sort());
    for (const [name, dashboard] of Object.entries(built)) {
      expect(
        readFileSync(join(OURS_DIR, name), 'utf8'),
        `${name} is stale: run npx tsx deploy/grafana/src/generate.ts`,
      ).toBe(dashboardFile(dashboard));
    }
  });

  it('have unique uids, and every one has the datasource and cluster variables', () => {
    const uids = OURS.map((f) => readDashboard(join(OURS_DIR, f))['uid']);
    expect(new Set(uids).size).toBe(uids.length);
    for (const f of OURS) {
      const names = (readDashboard(join(OURS_DIR, f))['templating'] as { list: Array<{ name: string }> }).list.map(
        (v) => v.name,
      );
      expect(names.slice(0, 2), f).toEqual(['datasource', 'cluster']);
    }
  });

  it('offer the template variables cluster, node, namespace and pod across the Compute Resources set', () => {
    const vars = (f: string) => variablesOf(readDashboard(join(OURS_DIR, f))).map((v) => v.name);
    expect(vars('heapless-cluster.json')).toEqual(['cluster']);
    expect(vars('heapless-node.json')).toEqual(['cluster', 'node']);
    expect(vars('heapless-namespace.json')).toEqual(['cluster', 'namespace']);
    expect(vars('heapless-pod.json')).toEqual(['cluster', 'namespace', 'pod']);
    expect(vars('heapless-namespace-workloads.json')).toEqual(['cluster', 'namespace', 'kind']);
    expect(vars('heapless-workload.json')).toEqual(['cluster', 'namespace', 'kind', 'workload']);
  });

  it('never sum raw points over a time bucket: every sum is over per-series values (subquery)', () => {
    for (const { name, dashboard } of DASHBOARDS.filter((d) => !d.name.startsWith('heapster-grafana/'))) {
      for (const q of queriesOf(dashboard)) {
        expect(q.query, `${name} ${q.where}`).not.toMatch(/sum\("value"\)/);
      }
    }
  });

  it.each(DASHBOARDS.map((d) => [d.name, d.dashboard] as const))(
    '%s names only measurements, types, tags and fields that heapless writes',
    (name, dashboard) => {
      const problems = queriesOf(dashboard).flatMap((q) => unknownNames(q.query).map((p) => `${q.where}: ${p}`));
      expect(problems, name).toEqual([]);
    },
  );
});

// --- against a simulated collection ------------------------------------------------------------

function hasData(results: QueryResult[]): boolean {
  return results.some((r) =>
    (r.series ?? []).some((s) =>
      s.values.some((row) => row.some((v, i) => s.columns[i] !== 'time' && v !== null && v !== undefined)),
    ),
  );
}

describe('dashboards against a simulated collection', () => {
  let c: Collected;
  let fromMs = 0;
  let toMs = 0;
  const first: { namespace?: string; pod?: string } = {};

  beforeAll(async () => {
    c = await collectedTwice('deploy_dashboards', {}, { CLUSTER_NAME: 'sim' });
    // Every container 'app' is OOM-killed and restarted now, so restart and OOM-kill panels have
    // points inside the dashboard's range; one more run sees the new termination.
    for (const p of c.sim.truth.nodes.flatMap((n) => n.pods)) c.sim.restartContainer(p.namespace, p.name, 'app');
    await c.next(60);
    const [ns] = await c.client.query(`SHOW TAG VALUES FROM "uptime" WITH KEY = "namespace_name"`);
    first.namespace = ns?.series?.[0]?.values[0]?.[1] as string;
    const [pods] = await c.client.query(
      `SHOW TAG VALUES FROM "uptime" WITH KEY = "pod_name" WHERE "namespace_name" = '${first.namespace}'`,
    );
    first.pod = pods?.series?.[0]?.values[0]?.[1] as string;
    const at = new Date(c.sim.clock.nowMs()).toISOString();
    c.sim.addEvents([
      {
        metadata: { namespace: first.namespace, name: 'ev-warning' },
        involvedObject: { kind: 'Pod', name: first.pod, namespace: first.namespace, uid: 'pod-uid' },
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        type: 'Warning',
        source: { component: 'kubelet', host: 'node-0' },
        count: 1,
        firstTimestamp: at,
        lastTimestamp: at,
      },
      {
        metadata: { namespace: first.namespace, name: 'ev-normal' },
        involvedObject: { kind: 'Pod', name: first.pod, namespace: first.namespace, uid: 'pod-uid' },
        reason: 'Scheduled',
        message: 'Successfully assigned',
        type: 'Normal',
        source: { component: 'default-scheduler' },
        count: 1,
        firstTimestamp: at,
        lastTimestamp: at,
      },
    ]);
    const eventsConfig = readEventsConfig({
      KUBECONFIG: c.sim.kubeconfigPath,
      INFLUX_URL: inject('influxUrl'),
      INFLUX_DB: c.client.options.db,
      INTERVAL: '60s',
      CLUSTER_NAME: 'sim',
    });
    const events = await runEvents(eventsConfig, {
      log: createLogger({ fn: 'events', level: 'error', sink: () => undefined }),
      now: () => c.sim.clock.nowMs(),
    });
    expect(events.exitCode).toBe(0);
    toMs = c.sim.clock.nowMs() + 60_000;
    fromMs = toMs - 30 * 60_000;
  });

  afterAll(async () => {
    await c?.stop();
  });

  function context(dashboard: Record<string, unknown>, interval: string, values: FillContext['values']): FillContext {
    return { fromMs, toMs, interval, values, variables: variablesOf(dashboard), constants: customValuesOf(dashboard) };
  }

  async function run(q: string): Promise<QueryResult[]> {
    return c.client.query(q);
  }

  it.each(DASHBOARDS.map((d) => [d.name, d.dashboard] as const))(
    '%s: every variable lists values',
    async (name, dashboard) => {
      const values: FillContext['values'] = {};
      for (const v of variablesOf(dashboard)) {
        const [res] = await run(fillQuery(v.query, context(dashboard, '1m', values)));
        const list = (res?.series?.[0]?.values ?? []).map((row) => String(row[1]));
        expect(list.length, `${name} variable ${v.name}: ${v.query}`).toBeGreaterThan(0);
        values[v.name] = [list[0] as string];
      }
    },
  );

  it.each(DASHBOARDS.flatMap((d) => ['1m', '5m'].map((iv) => [d.name, iv, d.dashboard] as const)))(
    '%s at $__interval %s: every panel and annotation query returns data with every variable at All (.*)',
    async (name, interval, dashboard) => {
      const all = Object.fromEntries(variablesOf(dashboard).map((v) => [v.name, 'all' as const]));
      const empty: string[] = [];
      for (const q of queriesOf(dashboard).filter((x) => x.kind !== 'variable')) {
        const filled = fillQuery(q.query, context(dashboard, interval, all));
        if (!hasData(await run(filled))) empty.push(`${q.where}: ${filled}`);
      }
      expect(empty, name).toEqual([]);
    },
  );

  it.each(DASHBOARDS.map((d) => [d.name, d.dashboard] as const))(
    '%s: with the first value of every variable (as Grafana opens it), every panel shows data',
    async (name, dashboard) => {
      const values: FillContext['values'] = {};
      for (const v of variablesOf(dashboard)) {
        const [res] = await run(fillQuery(v.query, context(dashboard, '1m', values)));
        values[v.name] = [String(res?.series?.[0]?.values[0]?.[1])];
      }
      const byPanel = new Map<string, boolean>();
      for (const q of queriesOf(dashboard).filter((x) => x.kind === 'panel')) {
        const key = q.where.replace(/ [A-Z]$/, '');
        const data = hasData(await run(fillQuery(q.query, context(dashboard, '1m', values))));
        byPanel.set(key, (byPanel.get(key) ?? false) || data);
      }
      expect(
        [...byPanel].filter(([, data]) => !data).map(([p]) => p),
        `${name} with ${JSON.stringify(values)}`,
      ).toEqual([]);
    },
  );
});

// --- the aggregation is right at every zoom -----------------------------------------------------

describe('dashboards at the rollup resolutions', () => {
  it('every time series reads the 5-minute and hourly rollups through $resolution, and they hold data', async () => {
    // Seventy minutes of collection ending ten minutes ago, rolled up: both levels have windows.
    const HOUR = 3_600_000;
    const start = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
    const c = await collected('deploy_dashboards_rollup', { nodes: 2, podsPerNode: 2, startTimeMs: start }, {});
    try {
      for (let i = 0; i < 70; i++) {
        expect((await c.run()).exitCode).toBe(0);
        c.sim.clock.advance(60);
      }
      const end = c.sim.clock.nowMs();
      const rollup = await runRollup(
        readRollupConfig({
          INFLUX_URL: inject('influxUrl'),
          INFLUX_DB: c.client.options.db,
          ROLLUP_BACKFILL: '3h',
          ROLLUP_MAX_WINDOWS: '100',
        }),
        { log: createLogger({ fn: 'rollup', level: 'error', sink: () => undefined }), now: () => end + 10 * 60_000 },
      );
      expect(rollup.exitCode).toBe(0);
      const compute = DASHBOARDS.filter((d) => customValuesOf(d.dashboard)['resolution'] !== undefined);
      expect(compute.length).toBeGreaterThanOrEqual(8);
      for (const [resolution, interval] of [
        ['heapless_5m', '5m'],
        ['heapless_1h', '1h'],
      ] as const) {
        const empty: string[] = [];
        for (const { name, dashboard } of compute) {
          const ctx: FillContext = {
            fromMs: start,
            toMs: end,
            interval,
            values: Object.fromEntries(variablesOf(dashboard).map((v) => [v.name, 'all' as const])),
            variables: variablesOf(dashboard),
            constants: { resolution },
          };
          for (const q of queriesOf(dashboard).filter((x) => x.kind === 'panel' && x.query.includes('$resolution'))) {
            const filled = fillQuery(q.query, ctx);
            expect(filled).toContain(`"${resolution}".`);
            if (!hasData(await c.client.query(filled))) empty.push(`${name} ${q.where}`);
          }
        }
        // Series that exist only where a test made them (OOM kills, PSI on some kubelets) may be
        // absent from this small collection; everything else must draw from the rollups.
        expect(
          empty.filter((e) => !/OOM|kill|[Pp]ressure|[Ss]wap|[Pp]rocess/.test(e)),
          resolution,
        ).toEqual([]);
      }
    } finally {
      await c.stop();
    }
  }, 600_000);
});

describe('totals over series', () => {
  it('stay the real total when $__interval spans several collections, where Heapster’s sum("value") multiplies it', async () => {
    // Prepare: three nodes at 100, 200 and 300 millicores, one point a minute for ten minutes.
    const client: InfluxClient = await freshDatabase('deploy_totals');
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    const t0 = anyDayStartMs(600_000);
    const lines: string[] = [];
    for (let i = 0; i < 10; i++) {
      for (const [n, v] of [
        ['node-a', 100],
        ['node-b', 200],
        ['node-c', 300],
      ] as const)
        lines.push(`cpu/usage_rate,nodename=${n},type=node value=${v} ${t0 + i * 60_000}`);
    }
    await writeLines(client, lines);
    const ours = queriesOf(readDashboard(join(OURS_DIR, 'heapster-cluster.json'))).find(
      (q) => q.panelTitle === 'Overall Cluster CPU Usage' && q.where.endsWith(' A'),
    );
    const heapster = queriesOf(readDashboard(join(FIXTURES_DIR, 'heapster-grafana', 'cluster.json'))).find(
      (q) => q.panelTitle === 'Overall Cluster CPU Usage' && q.where.endsWith(' A'),
    );
    const fill = (q: string) =>
      fillQuery(q, {
        fromMs: t0,
        toMs: t0 + 599_999,
        interval: '5m',
        values: { cluster: 'all' },
        variables: [{ name: 'cluster', query: '', includeAll: true, multi: false, allValue: '.*' }],
        // This database was made by a bare write: its only policy is InfluxDB's own default.
        constants: { resolution: 'autogen' },
      });
    const values = async (q: string) =>
      ((await client.query(fill(q)))[0]?.series?.[0]?.values ?? []).map((row) => row[1]);
    // Act
    const oursAt5m = await values(ours?.query ?? '');
    const heapsterAt5m = await values(heapster?.query ?? '');
    // Assess: two 5-minute buckets, each holding five collections of the three nodes.
    expect(oursAt5m).toEqual([600, 600]);
    expect(heapsterAt5m).toEqual([3000, 3000]);
  });
});
