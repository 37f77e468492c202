import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { FIXTURES_DIR } from '#test/helpers/paths';

const fixtures = readdirSync(`${FIXTURES_DIR}/kubelet-summary`).filter((f) => f.endsWith('.json'));

describe('every real kubelet fixture, served by a simulated node and collected twice', () => {
  it.each(fixtures)('%s produces what it can feed and nothing invalid', async (file) => {
    const c = await collected(`fixture_${fixtures.indexOf(file)}`, { nodes: 0, fixtureNodes: [file] });
    try {
      const first = await c.run();
      const second = await c.next(60);
      for (const r of [first, second]) {
        // InfluxDB accepted every line: no invalid value, name or tag slipped through.
        expect(r.stats).toMatchObject({ nodes: 1, nodesOk: 1, failedPoints: 0 });
        expect(r.exitCode).toBe(0);
      }
      const types = await rows(c.client, `SELECT count("value") FROM "memory/usage" GROUP BY "type"`);
      expect(types.map((t) => t['type'])).toContain('node');
      const podCount = (
        await rows(c.client, `SELECT count("value") FROM "uptime" WHERE "type"='pod' GROUP BY "pod_name"`)
      ).length;
      const raw = (await import(`${FIXTURES_DIR}/kubelet-summary/${file}`, { with: { type: 'json' } })) as {
        default: { pods?: unknown[] };
      };
      expect(podCount).toBe(
        new Set((raw.default.pods ?? []).map((p) => JSON.stringify((p as { podRef: unknown }).podRef))).size,
      );
      // Rates need two readings: fixtures with memory counters get page-fault rates on the second run.
      const rates = await rows(c.client, `SELECT count("value") FROM "memory/page_faults_rate"`);
      const faults = await rows(c.client, `SELECT count("value") FROM "memory/page_faults"`);
      if (faults.length > 0) expect(Number(rates[0]?.['count'] ?? 0)).toBeGreaterThan(0);
      const cpu = await rows(c.client, `SELECT count("value") FROM "cpu/usage_rate" WHERE "type"='node'`);
      expect(Number(cpu[0]?.['count'] ?? 0)).toBeGreaterThan(0);
    } finally {
      await c.stop();
    }
  });

  it('pairs the 1.35 summary with its real Pod objects: requests, limits and labels from the specs', async () => {
    const c = await collected('fixture_pods', {
      nodes: 0,
      fixtureNodes: ['summary_k8s-1.35.0_minikube-containerd_nri-kubernetes.json'],
    });
    try {
      await c.run();
      const req = await rows(
        c.client,
        `SELECT last("value") FROM "cpu/request" WHERE "type"='pod_container' AND "pod_name"=~/^coredns/`,
      );
      expect(req[0]?.['last']).toBe(100);
      const mem = await rows(
        c.client,
        `SELECT last("value") FROM "memory/limit" WHERE "type"='pod_container' AND "pod_name"=~/^coredns/`,
      );
      expect(mem[0]?.['last']).toBe(170 * 1024 * 1024);
      const labels = await rows(
        c.client,
        `SELECT last("value") FROM "uptime" WHERE "type"='pod' AND "pod_name"=~/^coredns/ GROUP BY "labels"`,
      );
      expect(String(labels[0]?.['labels'])).toContain('k8s-app:kube-dns');
    } finally {
      await c.stop();
    }
  });
});
