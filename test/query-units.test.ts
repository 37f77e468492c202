/**
 * @module query-units.test
 * The query service's pure parts: Kubernetes quantity and Go duration rendering, label and field
 * selectors, the `labels` tag, parameter validation, the Prometheus text and WHERE pieces.
 */
import { describe, expect, it } from 'vitest';
import { cpuQuantity, goDuration, memoryQuantity, rfc3339Nano, rfc3339Seconds } from '#shared/query/format';
import { matchesLabels, parseLabelSelector } from '#shared/query/label-selector';
import { fieldFilter, parseFieldSelector } from '#shared/query/field-selector';
import { parseLabelsTag } from '#shared/query/labels-tag';
import { labelPairs, modelMetricName, objectName, objectNames, timeParam } from '#shared/query/validate';
import { ParamError } from '#shared/query/errors';
import { QueryMetrics } from '#shared/query/self-metrics';
import { tagIn, where } from '#shared/query/where';
import { labelsTag } from '#shared/derive/tags';

describe('quantities as metrics-server prints them', () => {
  it.each([
    [487.558164, '487558164n'],
    [9.55963, '9559630n'],
    [250, '250m'],
    [2000, '2'],
    [0.5, '500u'],
    [0, '0'],
    [-3, '0'],
    [0.0000004, '0'],
  ])('cpu %f millicores → %s', (millicores, quantity) => {
    expect(cpuQuantity(millicores)).toBe(quantity);
  });

  it.each([
    [749785088, '732212Ki'],
    [22244 * 1024, '22244Ki'],
    [64 * 1024 * 1024, '64Mi'],
    [3 * 2 ** 30, '3Gi'],
    [1536, '1536'],
    [1000, '1k'],
    [999, '999'],
    [0, '0'],
  ])('memory %d bytes → %s', (bytes, quantity) => {
    expect(memoryQuantity(bytes)).toBe(quantity);
  });

  it('renders Go durations and RFC 3339 times like Go', () => {
    expect([0, 500, 15_023, 30_000, 60_000, 90_500, 3_600_000, 5_430_000].map(goDuration)).toEqual([
      '0s',
      '500ms',
      '15.023s',
      '30s',
      '1m0s',
      '1m30.5s',
      '1h0m0s',
      '1h30m30s',
    ]);
    expect(rfc3339Seconds(Date.parse('2026-06-26T10:14:35.900Z'))).toBe('2026-06-26T10:14:35Z');
    expect(rfc3339Nano(Date.parse('2026-06-26T10:14:35.500Z'))).toBe('2026-06-26T10:14:35.5Z');
    expect(rfc3339Nano(Date.parse('2026-06-26T10:14:35Z'))).toBe('2026-06-26T10:14:35Z');
  });
});

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'frontend', 'node-role.kubernetes.io/worker': '', n: '7' };
  const sel = (s: string) => matchesLabels(parseLabelSelector('labelSelector', s), labels);

  it('matches like apimachinery', () => {
    expect(sel('')).toBe(true);
    expect(sel('app=web, tier==frontend')).toBe(true);
    expect(sel('app!=web')).toBe(false);
    expect(sel('missing!=x')).toBe(true);
    expect(sel('app in (api, web),tier notin (backend)')).toBe(true);
    expect(sel('missing notin (a)')).toBe(true);
    expect(sel('missing in (a)')).toBe(false);
    expect(sel('node-role.kubernetes.io/worker')).toBe(true);
    expect(sel('!node-role.kubernetes.io/worker')).toBe(false);
    expect(sel('n>5,n<8')).toBe(true);
    expect(sel('app>1')).toBe(false);
    expect(sel('app=')).toBe(false);
  });

  it.each([
    'app in (a',
    'app in ()',
    'a b',
    '=x',
    'app=x=y',
    'Bad_Prefix.io/x=y',
    'app=-bad',
    'app=' + 'v'.repeat(64),
    'a,,b',
    "app='x'",
    'x'.repeat(5000),
  ])('rejects %j with a ParamError naming the parameter', (s) => {
    expect(() => parseLabelSelector('labelSelector', s)).toThrow(ParamError);
    expect(() => parseLabelSelector('labelSelector', s)).toThrow(/invalid parameter labelSelector/);
  });
});

describe('field selectors', () => {
  const tags = { 'metadata.name': 'pod_name', 'metadata.namespace': 'namespace_name' };

  it('parses =, ==, != and backslash escapes, and maps known fields to tag predicates', () => {
    const terms = parseFieldSelector('fieldSelector', 'metadata.name=a,metadata.namespace!=b, metadata.name==c');
    expect(fieldFilter('fieldSelector', terms, tags)).toEqual({
      none: false,
      predicates: [
        { tag: 'pod_name', negated: false, value: 'a' },
        { tag: 'namespace_name', negated: true, value: 'b' },
        { tag: 'pod_name', negated: false, value: 'c' },
      ],
    });
    expect(parseFieldSelector('fieldSelector', 'a.b=x\\,y\\=z')).toEqual([
      { field: 'a.b', negated: false, value: 'x,y=z' },
    ]);
  });

  it('reads unknown fields as "" as metrics-server does', () => {
    const f = (s: string) => fieldFilter('fieldSelector', parseFieldSelector('fieldSelector', s), tags);
    expect(f('status.phase=Running')).toEqual({ none: true });
    expect(f('status.phase!=Running')).toEqual({ none: false, predicates: [] });
    expect(f('status.phase=')).toEqual({ none: false, predicates: [] });
    expect(f('status.phase!=')).toEqual({ none: true });
  });

  it.each(['metadata.name', '=x', 'metadata.name=a\\b', 'metadata.name=a b', "metadata.name=a'b"])(
    'rejects %j',
    (s) => {
      expect(() => fieldFilter('fieldSelector', parseFieldSelector('fieldSelector', s), tags)).toThrow(
        /invalid parameter fieldSelector/,
      );
    },
  );
});

describe('the labels tag', () => {
  it('reads back what the collector writes, including values that break the label rules', () => {
    const labels = { app: 'web', 'node-role.kubernetes.io/control-plane': '', note: 'a b,c=d"e', z: 'x:y' };
    expect(parseLabelsTag(labelsTag(labels))).toEqual(labels);
    expect(parseLabelsTag('')).toEqual({});
    expect(parseLabelsTag(null)).toEqual({});
  });
});

describe('parameter validation', () => {
  it('accepts names, metric names, aliases, times and label pairs', () => {
    expect(objectName('name', 'kube-proxy-x7.2_a')).toBe('kube-proxy-x7.2_a');
    expect(objectNames('pods', 'a,b,a')).toEqual(['a', 'b']);
    expect(modelMetricName('metric', 'cpu-usage')).toBe('cpu/usage_rate');
    expect(modelMetricName('metric', 'filesystem/usage')).toBe('filesystem/usage');
    expect(timeParam('start', '2026-01-02T03:04:05+02:00', 0)).toBe(Date.parse('2026-01-02T01:04:05Z'));
    expect(timeParam('start', undefined, 42)).toBe(42);
    expect(labelPairs('labels', 'resource_id:/,make:nvidia')).toEqual({ resource_id: '/', make: 'nvidia' });
  });

  it.each([
    () => objectName('name', ''),
    () => objectName('name', 'a/b'),
    () => objectName('name', 'x'.repeat(254)),
    () => objectNames('pods', 'a,,b'),
    () => objectNames('pods', Array(10_001).fill('a').join(',')),
    () => modelMetricName('metric', 'cpu//usage'),
    () => modelMetricName('metric', 'cpu usage'),
    () => timeParam('start', '1700000000', 0),
    () => timeParam('start', '2026-02-30T00:00:00Z garbage', 0),
    () => labelPairs('labels', 'resource_id'),
    () => labelPairs('labels', 'resource_id:"/"'),
  ])('rejects bad value %#', (bad) => {
    expect(bad).toThrow(ParamError);
  });

  it('never echoes the value, only the parameter and what was expected', () => {
    const err = (() => {
      try {
        objectName('namespace', "evil'; DROP");
      } catch (e) {
        return e as ParamError;
      }
    })();
    expect(err?.status).toBe(400);
    expect(err?.message).toBe(
      'invalid parameter namespace: expected a Kubernetes name (letters, digits, - . _; 1 to 253 characters)',
    );
  });
});

describe('Prometheus text and WHERE pieces', () => {
  it('renders counters and cumulative histogram buckets with escaped labels', () => {
    const m = new QueryMetrics();
    m.requests.inc({ route: '/a"b', method: 'GET', code: '200' });
    m.latency.observe({ route: '/x' }, 0.02);
    m.latency.observe({ route: '/x' }, 3);
    const text = m.render();
    expect(text).toContain('heapless_query_requests_total{route="/a\\"b",method="GET",code="200"} 1');
    expect(text).toContain('heapless_query_request_duration_seconds_bucket{route="/x",le="0.01"} 0');
    expect(text).toContain('heapless_query_request_duration_seconds_bucket{route="/x",le="0.025"} 1');
    expect(text).toContain('heapless_query_request_duration_seconds_bucket{route="/x",le="5"} 2');
    expect(text).toContain('heapless_query_request_duration_seconds_bucket{route="/x",le="+Inf"} 2');
    expect(text).toContain('heapless_query_request_duration_seconds_count{route="/x"} 2');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('quotes tags and values, and limits to the cluster and the time range', () => {
    expect(tagIn('pod_name', ['a.b', 'c'])).toBe('"pod_name" =~ /^(?:a\\.b|c)$/');
    expect(where('node', [tagIn('nodename', ["x'y"])], { clusterName: 'prod', startMs: 0, endMs: 60_000 })).toBe(
      `WHERE "type" = 'node' AND "nodename" = 'x\\'y' AND "cluster_name" = 'prod' AND time >= '1970-01-01T00:00:00.000Z' AND time <= '1970-01-01T00:01:00.000Z'`,
    );
  });
});
