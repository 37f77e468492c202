/**
 * deploy/: `kubectl kustomize` renders the base and every overlay; every object validates against
 * the Kubernetes OpenAPI schemas (kubernetes-models, @kubernetes-models/knative for Knative) and
 * carries no field the API does not know; workloads are hardened and complete; the RBAC is exactly
 * the list below; every function's environment parses with its own settings table; the image
 * references and the Dockerfile agree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { dumpYaml, loadYaml } from '@kubernetes/client-node';
import { collectSettings, readCollectConfig } from '#shared/collect/settings';
import { eventsSettings, readEventsConfig } from '#shared/events/events-settings';
import { querySettings, readQueryConfig } from '#shared/query/settings';
import { readRollupConfig, rollupSettings } from '#shared/rollup/settings';
import { parseDurationMs } from '#shared/config/parsers';
import { PROJECT_DIR } from '#test/helpers/paths';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const DEPLOY = join(PROJECT_DIR, 'deploy');
const TARGETS = {
  base: 'base',
  knative: 'overlays/knative',
  'apiserver-proxy': 'overlays/apiserver-proxy',
  nodeport: 'overlays/nodeport',
  'external-influxdb': 'overlays/external-influxdb',
  sharded: 'overlays/sharded',
  'metrics-api': 'overlays/metrics-api',
  'kube-prometheus-stack': 'overlays/kube-prometheus-stack',
  // The install manifests `npm run build` renders (global-setup builds before any test runs).
  install: '../dist/heapless.yaml',
  'install-metrics-api': '../dist/heapless-metrics-api.yaml',
} as const;
type Target = keyof typeof TARGETS;
const NAMES = Object.keys(TARGETS) as Target[];
const VERSION = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const CRD_GROUPS = ['serving.knative.dev', 'sources.knative.dev'];
/** CRDs with no schema package here: checked field by field in their own test instead. */
const UNMODELLED_GROUPS = ['monitoring.coreos.com'];

function render(dir: string): Obj[] {
  const out = dir.endsWith('.yaml')
    ? readFileSync(join(DEPLOY, dir), 'utf8')
    : execFileSync(KUBECTL, ['kustomize', join(DEPLOY, dir)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return (yaml.loadAll(out) as Obj[]).filter(Boolean);
}

const rendered = new Map<Target, Obj[]>();
beforeAll(() => {
  for (const t of NAMES) rendered.set(t, render(TARGETS[t]));
});
const objects = (t: Target): Obj[] => rendered.get(t) ?? [];
const find = (t: Target, kind: string, name: string): Obj | undefined =>
  objects(t).find((o) => o['kind'] === kind && o['metadata']?.['name'] === name);
const get = (t: Target, kind: string, name: string): Obj => {
  const o = find(t, kind, name);
  if (!o) throw new Error(`${t}: no ${kind} ${name}`);
  return o;
};
/** A ConfigMap by the name before kustomize's hash suffix. */
const configMap = (t: Target, name: string): Obj => {
  const o = objects(t).find(
    (x) =>
      x['kind'] === 'ConfigMap' &&
      (x['metadata']['name'] === name || new RegExp(`^${name}-[a-z0-9]{10}$`).test(x['metadata']['name'])),
  );
  if (!o) throw new Error(`${t}: no ConfigMap ${name}`);
  return o;
};

// --- schema validation -----------------------------------------------------------------------

async function modelClass(
  apiVersion: string,
  kind: string,
): Promise<(new (o: Obj) => { validate(): void }) | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const module = CRD_GROUPS.includes(group as string)
    ? `@kubernetes-models/knative/${group}/${version}`
    : group
      ? `kubernetes-models/${group}/${version}`
      : `kubernetes-models/${version}`;
  const mod = (await import(module)) as Record<string, new (o: Obj) => { validate(): void }>;
  return mod[kind];
}

/** Paths present in `a` but not in `b` (b = the object after a round trip through typed models). */
function droppedFields(a: unknown, b: unknown, path = ''): string[] {
  if (Array.isArray(a))
    return a.flatMap((x, i) => droppedFields(x, Array.isArray(b) ? b[i] : undefined, `${path}[${i}]`));
  if (a && typeof a === 'object') {
    return Object.entries(a as Obj).flatMap(([k, v]) => {
      const bv = b && typeof b === 'object' ? (b as Obj)[k] : undefined;
      if (bv === undefined && v !== undefined && v !== null) return [`${path}.${k}`];
      return droppedFields(v, bv, `${path}.${k}`);
    });
  }
  return [];
}

/**
 * kustomize wraps binaryData's base64 at 70 characters; the API server decodes it as Go's
 * encoding/base64 does, which skips line breaks, so the schema check sees it without them.
 */
function withoutBase64Breaks(o: Obj): Obj {
  if (!o['binaryData']) return o;
  const binaryData = Object.fromEntries(
    Object.entries(o['binaryData'] as Record<string, string>).map(([k, v]) => [k, v.replace(/\n/g, '')]),
  );
  return { ...o, binaryData };
}

/** A storage quantity in bytes (Ki, Mi, Gi, Ti). */
function bytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!m) throw new Error(`unexpected quantity ${quantity}`);
  return Number(m[1]) * 1024 ** ['', 'Ki', 'Mi', 'Gi', 'Ti'].indexOf(m[2] ?? '');
}

// --- pod templates -----------------------------------------------------------------------------

interface PodTemplate {
  owner: string;
  kind: string;
  name: string;
  spec: Obj;
  labels: Record<string, string>;
}

function podTemplates(t: Target): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of objects(t)) {
    const name = o['metadata']['name'] as string;
    const tpl =
      o['kind'] === 'CronJob'
        ? o['spec']['jobTemplate']['spec']['template']
        : ['Deployment', 'StatefulSet', 'Job'].includes(o['kind']) ||
            (o['kind'] === 'Service' && o['apiVersion'] === 'serving.knative.dev/v1')
          ? o['spec']['template']
          : undefined;
    if (tpl)
      out.push({
        owner: `${o['kind']}/${name}`,
        kind: o['kind'],
        name,
        spec: tpl['spec'],
        labels: tpl['metadata']?.['labels'] ?? {},
      });
  }
  return out;
}

function containers(p: PodTemplate): Obj[] {
  return [...(p.spec['initContainers'] ?? []), ...(p.spec['containers'] ?? [])];
}

/** The images heapless runs: none of them built by us. */
const OFFICIAL = ['node', 'influxdb', 'grafana/grafana'];

/** Why an image reference is not an official image pinned to an exact version (x.y.z), or undefined. */
function imageProblem(image: string): string | undefined {
  const m = /^(?:docker\.io\/)?(?:library\/)?([a-z0-9/_.-]+):([\w.-]+)(@sha256:[0-9a-f]{64})?$/.exec(image);
  if (!m) return `image ${image} has no tag`;
  if (!OFFICIAL.includes(m[1] as string)) return `image ${image} is not one of the official images ${OFFICIAL}`;
  if (!/^\d+\.\d+\.\d+(-[a-z0-9.]+)?$/.test(m[2] as string))
    return `image ${image} is not pinned to an exact version (no latest, no bare major or minor)`;
  return undefined;
}

describe.each(NAMES)('kustomize %s', (target) => {
  it('renders, and every object validates against its Kubernetes OpenAPI schema', async () => {
    expect(objects(target).length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const o of objects(target).filter(
      (x) => !UNMODELLED_GROUPS.includes(String(x['apiVersion']).split('/')[0] as string),
    )) {
      const Model = await modelClass(o['apiVersion'], o['kind']);
      if (!Model) {
        failures.push(`no schema for ${o['apiVersion']} ${o['kind']}`);
        continue;
      }
      try {
        new Model(withoutBase64Breaks(o)).validate();
      } catch (err) {
        failures.push(`${o['kind']}/${o['metadata']['name']}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('has no field the Kubernetes API does not know (typed round trip of every built-in kind)', () => {
    const dropped: string[] = [];
    for (const o of objects(target).filter(
      (x) => ![...CRD_GROUPS, ...UNMODELLED_GROUPS].includes(String(x['apiVersion']).split('/')[0] as string),
    )) {
      const back = yaml.load(dumpYaml(loadYaml(yaml.dump(o)))) as Obj;
      dropped.push(...droppedFields(o, back).map((p) => `${o['kind']}/${o['metadata']['name']}${p}`));
    }
    expect(dropped).toEqual([]);
  });

  it('uses only API versions current Kubernetes serves (no extensions/v1beta1, rbac v1beta1…)', () => {
    const allowed = [
      'v1',
      'apps/v1',
      'batch/v1',
      'policy/v1',
      'rbac.authorization.k8s.io/v1',
      'networking.k8s.io/v1',
      'apiregistration.k8s.io/v1',
      'serving.knative.dev/v1',
      'sources.knative.dev/v1',
      'monitoring.coreos.com/v1',
    ];
    expect([...new Set(objects(target).map((o) => o['apiVersion']))].filter((v) => !allowed.includes(v))).toEqual([]);
  });

  it('keeps everything in namespace heapless (but the kube-system RoleBinding the aggregation layer needs)', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'APIService'];
    for (const o of objects(target)) {
      const ns = o['metadata']['namespace'];
      if (clusterScoped.includes(o['kind'])) expect(ns, `${o['kind']}/${o['metadata']['name']}`).toBeUndefined();
      else if (o['kind'] === 'RoleBinding' && o['metadata']['name'] === 'heapless-query-auth-reader')
        expect(ns).toBe('kube-system');
      else expect(ns, `${o['kind']}/${o['metadata']['name']}`).toBe('heapless');
    }
  });

  it('hardens every pod: non-root, read-only root filesystem, all capabilities dropped, RuntimeDefault seccomp, no host access', () => {
    const problems: string[] = [];
    for (const p of podTemplates(target)) {
      const pod = p.spec['securityContext'] ?? {};
      if (p.spec['hostNetwork'] || p.spec['hostPID'] || p.spec['hostIPC']) problems.push(`${p.owner}: host namespaces`);
      if ((p.spec['volumes'] ?? []).some((v: Obj) => v['hostPath'])) problems.push(`${p.owner}: hostPath volume`);
      for (const c of containers(p)) {
        const sc = c['securityContext'] ?? {};
        const where = `${p.owner} ${c['name']}`;
        if ((sc['runAsNonRoot'] ?? pod['runAsNonRoot']) !== true) problems.push(`${where}: runAsNonRoot`);
        if ((sc['runAsUser'] ?? pod['runAsUser']) === 0) problems.push(`${where}: runAsUser 0`);
        if (sc['readOnlyRootFilesystem'] !== true) problems.push(`${where}: readOnlyRootFilesystem`);
        if (sc['allowPrivilegeEscalation'] !== false) problems.push(`${where}: allowPrivilegeEscalation`);
        if (sc['privileged']) problems.push(`${where}: privileged`);
        if (JSON.stringify(sc['capabilities']?.['drop']) !== '["ALL"]' || sc['capabilities']?.['add'])
          problems.push(`${where}: capabilities`);
        if ((sc['seccompProfile'] ?? pod['seccompProfile'])?.['type'] !== 'RuntimeDefault')
          problems.push(`${where}: seccompProfile`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs only official images, each pinned to an exact version; never pulls on every start; sets requests and limits', () => {
    const problems: string[] = [];
    for (const p of podTemplates(target)) {
      for (const c of containers(p)) {
        const where = `${p.owner} ${c['name']}`;
        const image = String(c['image']);
        const problem = imageProblem(image);
        if (problem) problems.push(`${where}: ${problem}`);
        if (c['imagePullPolicy'] !== 'IfNotPresent') problems.push(`${where}: imagePullPolicy ${c['imagePullPolicy']}`);
        for (const k of ['requests', 'limits'])
          for (const r of ['cpu', 'memory']) if (!c['resources']?.[k]?.[r]) problems.push(`${where}: no ${k}.${r}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('resolves every reference: ServiceAccounts, ConfigMaps, Secrets the credentials Job creates, claims, Service selectors and ports', () => {
    const problems: string[] = [];
    const names = (kind: string) =>
      new Set(
        objects(target)
          .filter((o) => o['kind'] === kind)
          .map((o) => o['metadata']['name'] as string),
      );
    const [sas, cms, pvcs] = [names('ServiceAccount'), names('ConfigMap'), names('PersistentVolumeClaim')];
    const job = find(target, 'Job', 'heapless-credentials');
    const generated = new Map<string, string[]>(
      String(
        job?.['spec']['template']['spec']['containers'][0]['env'].find((e: Obj) => e['name'] === 'SECRETS')?.[
          'value'
        ] ?? '',
      )
        .split(';')
        .filter(Boolean)
        .map((entry) => [entry.split('=')[0] as string, (entry.split('=')[1] ?? '').split(',')]),
    );
    // external-influxdb: the operator creates heapless-influxdb with the key "token" (README.md).
    const provided =
      target === 'external-influxdb' ? new Map([['heapless-influxdb', ['token']]]) : new Map<string, string[]>();
    const secretHas = (name: string, key?: string) => {
      const keys = generated.get(name) ?? provided.get(name);
      return keys !== undefined && (key === undefined || keys.includes(key));
    };
    for (const p of podTemplates(target)) {
      const sa = p.spec['serviceAccountName'];
      if (!sa || !sas.has(sa)) problems.push(`${p.owner}: ServiceAccount ${sa}`);
      for (const v of p.spec['volumes'] ?? []) {
        const sources = v['projected'] ? v['projected']['sources'] : [v];
        for (const s of sources) {
          if (s['configMap'] && !cms.has(s['configMap']['name']))
            problems.push(`${p.owner}: ConfigMap ${s['configMap']['name']}`);
          const secret = s['secret'] ? (s['secret']['secretName'] ?? s['secret']['name']) : undefined;
          if (secret)
            for (const item of s['secret']['items'] ?? [{}])
              if (!secretHas(secret, item['key'])) problems.push(`${p.owner}: Secret ${secret} key ${item['key']}`);
        }
        if (v['persistentVolumeClaim'] && !pvcs.has(v['persistentVolumeClaim']['claimName']))
          problems.push(`${p.owner}: claim ${v['persistentVolumeClaim']['claimName']}`);
      }
      for (const c of containers(p)) {
        for (const e of c['envFrom'] ?? [])
          if (e['configMapRef'] && !cms.has(e['configMapRef']['name']))
            problems.push(`${p.owner}: envFrom ${e['configMapRef']['name']}`);
        for (const e of c['env'] ?? []) {
          const ref = e['valueFrom'];
          if (ref?.['configMapKeyRef'] && !cms.has(ref['configMapKeyRef']['name']))
            problems.push(`${p.owner}: env ${e['name']} ConfigMap`);
          if (ref?.['secretKeyRef'] && !secretHas(ref['secretKeyRef']['name'], ref['secretKeyRef']['key']))
            problems.push(
              `${p.owner}: env ${e['name']} Secret ${ref['secretKeyRef']['name']}/${ref['secretKeyRef']['key']}`,
            );
        }
      }
    }
    for (const svc of objects(target).filter((o) => o['kind'] === 'Service' && o['apiVersion'] === 'v1')) {
      const selector = svc['spec']['selector'] as Record<string, string>;
      const pods = podTemplates(target).filter((p) => Object.entries(selector).every(([k, v]) => p.labels[k] === v));
      if (pods.length !== 1) problems.push(`Service ${svc['metadata']['name']} selects ${pods.length} workloads`);
      for (const port of svc['spec']['ports']) {
        const named = pods.flatMap((p) => containers(p).flatMap((c) => (c['ports'] ?? []).map((x: Obj) => x['name'])));
        if (typeof port['targetPort'] === 'string' && !named.includes(port['targetPort']))
          problems.push(`Service ${svc['metadata']['name']}: no container port ${port['targetPort']}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs every heapless container on the Node image as `node /app/runtime/load.mjs /app/<function>`, with that function’s bundle mounted there', () => {
    const fns = readdirSync(join(PROJECT_DIR, 'functions')).filter((f) =>
      existsSync(join(PROJECT_DIR, 'functions', f, 'index.ts')),
    );
    const run = new Set<string>();
    for (const p of podTemplates(target)) {
      for (const c of containers(p).filter((x) => String(x['image']).startsWith('node:'))) {
        const cmd = (c['command'] as string[]).join(' ');
        if (p.name === 'heapless-credentials') {
          expect(cmd).toBe('node /scripts/create-secrets.mjs');
          continue;
        }
        const m = /^node (?:\/app\/runtime\/http-trigger\.mjs )?\/app\/runtime\/load\.mjs \/app\/([a-z-]+)$/.exec(cmd);
        const fn = m?.[1] as string;
        expect(m && fns.includes(fn), `${p.owner}: ${cmd}`).toBe(true);
        run.add(fn);
        const mounts = Object.fromEntries((c['volumeMounts'] as Obj[]).map((x) => [x['mountPath'], x['name']]));
        const volume = (name: string): Obj => (p.spec['volumes'] as Obj[]).find((v) => v['name'] === name) as Obj;
        expect(volume(mounts['/app/runtime'])['configMap']['name']).toMatch(/^heapless-runtime-[a-z0-9]{10}$/);
        expect(
          volume(mounts[`/app/${fn}`])['projected']['sources'].map((x: Obj) =>
            x['configMap']['name'].replace(/-[a-z0-9]{10}$/, ''),
          ),
        ).toEqual([`heapless-bundle-${fn}-0`, `heapless-bundle-${fn}-1`]);
        expect(volume(mounts['/tmp'])['emptyDir']).toBeDefined();
      }
    }
    // Every function in functions/ is deployed (collect, events, query, rollup).
    expect([...run].sort()).toEqual(fns.sort());
  });

  it('ships each bundle as brotli binaryData in ConfigMaps that fit client-side apply’s 256 KiB annotation', () => {
    const bundles = objects(target).filter(
      (o) => o['kind'] === 'ConfigMap' && /^heapless-bundle-/.test(o['metadata']['name']),
    );
    // Two parts for each of collect, events, query and rollup.
    expect(bundles.length).toBe(8);
    for (const cm of bundles) {
      const [key, value] = Object.entries(cm['binaryData'] as Record<string, string>)[0] as [string, string];
      expect(key).toMatch(/^index\.mjs\.br\.[01]$/);
      // The rollup needs no Kubernetes client: its bundle is a few KiB, the others' about 100 KiB a part.
      expect(Buffer.from(value, 'base64').length).toBeGreaterThan(
        cm['metadata']['name'].startsWith('heapless-bundle-rollup-') ? 4_000 : 50_000,
      );
      expect(JSON.stringify(cm).length, cm['metadata']['name']).toBeLessThan(250 * 1024);
    }
    // The first part's ConfigMap holds the build's manifest, which names as many parts as are shipped.
    for (const fn of ['collect', 'events', 'query', 'rollup']) {
      const of = bundles.filter((cm) => cm['metadata']['name'].startsWith(`heapless-bundle-${fn}-`));
      const first = of.find((cm) => cm['metadata']['name'].startsWith(`heapless-bundle-${fn}-0-`)) as Obj;
      const manifest = JSON.parse(first['data']['manifest.json']) as { function: string; parts: number };
      expect(manifest).toMatchObject({ function: fn, parts: of.length });
    }
  });
});

describe.each(NAMES)('labels in %s', (target) => {
  it('every object carries the recommended app.kubernetes.io labels, version from package.json', () => {
    const problems: string[] = [];
    const RECOMMENDED = ['name', 'instance', 'version', 'component', 'part-of', 'managed-by'];
    for (const o of objects(target)) {
      const labels = (o['metadata']['labels'] ?? {}) as Record<string, string>;
      const missing = RECOMMENDED.filter((k) => !labels[`app.kubernetes.io/${k}`]);
      if (missing.length) problems.push(`${o['kind']}/${o['metadata']['name']}: ${missing.join(', ')}`);
      if (labels['app.kubernetes.io/version'] !== VERSION)
        problems.push(`${o['kind']}/${o['metadata']['name']}: version`);
      if (labels['app.kubernetes.io/part-of'] !== 'heapless' || labels['app.kubernetes.io/instance'] !== 'heapless')
        problems.push(`${o['kind']}/${o['metadata']['name']}: part-of/instance`);
    }
    // Pods too, but the version: it would reach InfluxDB's volumeClaimTemplates, which cannot change.
    for (const p of podTemplates(target)) {
      const missing = RECOMMENDED.filter((k) => k !== 'version' && !p.labels[`app.kubernetes.io/${k}`]);
      if (missing.length) problems.push(`${p.owner} pods: ${missing.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the base', () => {
  it('is what `kubectl apply -k deploy/` installs, and what dist/heapless.yaml holds', () => {
    expect(render('.')).toEqual(objects('base'));
    expect(objects('install')).toEqual(objects('base'));
  });

  it('collects every minute: Forbid, a starting deadline, a run deadline below the interval, no retries, short history, heap caps', () => {
    // Prepare
    const cron = get('base', 'CronJob', 'heapless-collect');
    const job = cron['spec']['jobTemplate']['spec'];
    const c = job['template']['spec']['containers'][0];
    const interval = parseDurationMs(configMap('base', 'heapless-config')['data']['INTERVAL']) / 1000;
    // Assess
    expect(cron['spec']).toMatchObject({ schedule: '*/1 * * * *', concurrencyPolicy: 'Forbid' });
    expect(interval).toBe(60);
    expect(cron['spec']['startingDeadlineSeconds']).toBeGreaterThan(0);
    expect(cron['spec']['startingDeadlineSeconds']).toBeLessThan(interval);
    expect(job['activeDeadlineSeconds']).toBeLessThan(interval);
    expect(job['backoffLimit']).toBe(0);
    expect(cron['spec']['successfulJobsHistoryLimit']).toBeLessThanOrEqual(3);
    expect(cron['spec']['failedJobsHistoryLimit']).toBeLessThanOrEqual(3);
    expect(c['env']).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=96 --max-semi-space-size=4' });
    expect(c['env']).toContainEqual({ name: 'SPOOL_DIR', value: '/var/spool/heapless' });
    const runDeadline = parseDurationMs(c['env'].find((e: Obj) => e['name'] === 'RUN_DEADLINE')['value']) / 1000;
    expect(runDeadline).toBeLessThan(job['activeDeadlineSeconds']);
    // Sharded over an Indexed Job: one pod per shard, SHARD_COUNT = completions = parallelism.
    expect(job['completionMode']).toBe('Indexed');
    expect(Number(c['env'].find((e: Obj) => e['name'] === 'SHARD_COUNT')['value'])).toBe(job['completions']);
    expect(job['parallelism']).toBe(job['completions']);
  });

  it('exports events every minute with the same guards', () => {
    const cron = get('base', 'CronJob', 'heapless-events');
    expect(cron['spec']).toMatchObject({ schedule: '*/1 * * * *', concurrencyPolicy: 'Forbid' });
    expect(cron['spec']['jobTemplate']['spec']['activeDeadlineSeconds']).toBeLessThan(60);
    expect(cron['spec']['jobTemplate']['spec']['backoffLimit']).toBe(0);
  });

  it('rolls up every 5 minutes with the same guards: Forbid, a run deadline below the schedule, no retries, no spool, admin credentials', () => {
    // Prepare
    const cron = get('base', 'CronJob', 'heapless-rollup');
    const job = cron['spec']['jobTemplate']['spec'];
    const spec = job['template']['spec'];
    const c = spec['containers'][0];
    const env = Object.fromEntries((c['env'] as Obj[]).map((e) => [e['name'], e['value']]));
    const every = 5 * 60;
    // Assess
    expect(cron['spec']).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid' });
    expect(cron['spec']['startingDeadlineSeconds']).toBeGreaterThan(0);
    expect(cron['spec']['startingDeadlineSeconds']).toBeLessThan(every);
    expect(job['activeDeadlineSeconds']).toBeLessThan(every);
    expect(job['activeDeadlineSeconds']).toBeGreaterThan(every - 30);
    expect(job['backoffLimit']).toBe(0);
    expect(cron['spec']['successfulJobsHistoryLimit']).toBeLessThanOrEqual(3);
    expect(cron['spec']['failedJobsHistoryLimit']).toBeLessThanOrEqual(3);
    // RUN_DEADLINE leaves the run time to finish its last statement and write its figures.
    expect(parseDurationMs(env['RUN_DEADLINE']) / 1000).toBe(240);
    expect(parseDurationMs(env['RUN_DEADLINE']) / 1000).toBeLessThan(job['activeDeadlineSeconds'] - 30);
    // One pod, no shards: it sums the collectors' partial sums itself.
    expect(job['completionMode']).toBeUndefined();
    expect(job['parallelism'] ?? 1).toBe(1);
    // No spool: its input stays in InfluxDB and a failed window is redone by the next run.
    expect(env['SPOOL_DIR']).toBeUndefined();
    expect((spec['volumes'] as Obj[]).filter((v) => v['persistentVolumeClaim'] || v['hostPath'])).toEqual([]);
    // It creates its retention policies, which InfluxDB 1.x allows only to an admin.
    expect(env['INFLUX_USERNAME']).toBe('heapless-admin');
    const file = env['INFLUX_PASSWORD_FILE'] as string;
    const mount = (c['volumeMounts'] as Obj[]).find((m) => file.startsWith(`${m['mountPath']}/`)) as Obj;
    expect((spec['volumes'] as Obj[]).find((v) => v['name'] === mount['name'])?.['secret']).toMatchObject({
      secretName: 'heapless-influxdb',
      items: [{ key: 'admin-password', path: file.slice(mount['mountPath'].length + 1) }],
    });
    const config = readRollupConfig({ ...configMap('base', 'heapless-config')['data'], ...env });
    expect(config.rollupLevels.map((l) => l.rp)).toEqual(['heapless_5m', 'heapless_1h']);
  });

  it('serves the query API: two query replicas, a PodDisruptionBudget, /healthz and /readyz probes, a Service; with the metrics-api component, the v1beta1.metrics.k8s.io APIService', () => {
    const deploy = get('base', 'Deployment', 'heapless-query');
    const c = deploy['spec']['template']['spec']['containers'][0];
    const pdb = get('base', 'PodDisruptionBudget', 'heapless-query');
    const svc = get('base', 'Service', 'heapless-query');
    const api = get('metrics-api', 'APIService', 'v1beta1.metrics.k8s.io');
    expect(deploy['spec']['replicas']).toBe(2);
    expect(pdb['spec']['selector']['matchLabels']).toEqual(deploy['spec']['selector']['matchLabels']);
    expect(pdb['spec']['minAvailable']).toBe(1);
    expect(c['livenessProbe']['httpGet']).toMatchObject({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(c['readinessProbe']['httpGet']).toMatchObject({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(c['ports']).toContainEqual({
      name: 'https',
      containerPort: Number(c['env'].find((e: Obj) => e['name'] === 'QUERY_PORT')['value']),
      protocol: 'TCP',
    });
    // The aggregator needs a Service port equal to spec.service.port whose endpoint port has the same name.
    expect(svc['spec']['ports']).toContainEqual(
      expect.objectContaining({ name: 'https', port: api['spec']['service']['port'], targetPort: 'https' }),
    );
    expect(api['spec']).toMatchObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      service: { name: 'heapless-query', namespace: 'heapless', port: 443 },
    });
  });

  it('never registers an APIService by default; the metrics-api component adds only that and the query pods’ priority', () => {
    for (const t of NAMES.filter((x) => !x.includes('metrics-api')))
      expect(
        objects(t).filter((o) => o['kind'] === 'APIService'),
        t,
      ).toEqual([]);
    for (const t of ['metrics-api', 'install-metrics-api'] as const) {
      expect(
        objects(t)
          .filter((o) => o['kind'] === 'APIService')
          .map((o) => o['metadata']['name']),
      ).toEqual(['v1beta1.metrics.k8s.io']);
      const query = get(t, 'Deployment', 'heapless-query');
      expect(query['spec']['template']['spec']['priorityClassName']).toBe('system-cluster-critical');
      // Everything else is the base, object for object.
      const rest = objects(t).filter((o) => o['kind'] !== 'APIService' && o !== query);
      expect(rest).toEqual(
        objects('base').filter((o) => o['metadata']['name'] !== 'heapless-query' || o['kind'] !== 'Deployment'),
      );
    }
    expect(
      get('base', 'Deployment', 'heapless-query')['spec']['template']['spec']['priorityClassName'],
    ).toBeUndefined();
  });

  it('keeps InfluxDB data on a PersistentVolumeClaim, credentials in a Secret, retention from the collector’s settings', () => {
    const sts = get('base', 'StatefulSet', 'heapless-influxdb');
    const c = sts['spec']['template']['spec']['containers'][0];
    const claim = sts['spec']['volumeClaimTemplates'][0];
    const mount = c['volumeMounts'].find((m: Obj) => m['mountPath'] === '/var/lib/influxdb');
    expect(mount['name']).toBe(claim['metadata']['name']);
    expect(claim['spec']['resources']['requests']['storage']).toMatch(/Gi$/);
    expect((sts['spec']['template']['spec']['volumes'] ?? []).map((v: Obj) => v['name'])).not.toContain(
      claim['metadata']['name'],
    );
    for (const key of ['INFLUXDB_ADMIN_PASSWORD', 'INFLUXDB_READ_USER_PASSWORD'])
      expect(c['env'].find((e: Obj) => e['name'] === key)['valueFrom']['secretKeyRef']['name']).toBe(
        'heapless-influxdb',
      );
    expect(c['env']).toContainEqual({ name: 'INFLUXDB_HTTP_AUTH_ENABLED', value: 'true' });
    // The rollup's INTO of a large measurement needs more than influxd's default 10 s write-timeout.
    const writeTimeout = c['env'].find((e: Obj) => e['name'] === 'INFLUXDB_COORDINATOR_WRITE_TIMEOUT')?.['value'];
    expect(parseDurationMs(writeTimeout)).toBeGreaterThanOrEqual(60_000);
    expect(configMap('base', 'heapless-config')['data']['INFLUX_RETENTION']).toBe('7d');
    expect(readCollectConfig(configMap('base', 'heapless-config')['data']).influxRetention).toBe('7d');
  });

  it('points Grafana at the API-server proxy path of its own Service, without serving from the sub-path (which would loop)', () => {
    const svc = get('base', 'Service', 'heapless-grafana');
    const env = Object.fromEntries(
      get('base', 'Deployment', 'heapless-grafana')['spec']['template']['spec']['containers'][0]['env'].map(
        (e: Obj) => [e['name'], e['value']],
      ),
    );
    expect(env['GF_SERVER_ROOT_URL']).toBe(
      `http://localhost:8001/api/v1/namespaces/${svc['metadata']['namespace']}/services/${svc['metadata']['name']}:${svc['spec']['ports'][0]['name']}/proxy/`,
    );
    expect(env['GF_SERVER_SERVE_FROM_SUB_PATH']).toBe('false');
  });

  it('turns Grafana’s anonymous access off in every variant, and takes the admin password from the generated Secret', () => {
    for (const t of NAMES) {
      const grafana = find(t, 'Deployment', 'heapless-grafana');
      if (!grafana) continue;
      const spec = grafana['spec']['template']['spec'];
      const env = Object.fromEntries(spec['containers'][0]['env'].map((e: Obj) => [e['name'], e['value']]));
      expect(env['GF_AUTH_ANONYMOUS_ENABLED'], t).toBe('false');
      const file = env['GF_SECURITY_ADMIN_PASSWORD__FILE'] as string;
      const mount = spec['containers'][0]['volumeMounts'].find((m: Obj) => file.startsWith(`${m['mountPath']}/`));
      const sources = spec['volumes'].find((v: Obj) => v['name'] === mount['name'])['projected']['sources'];
      expect(sources, t).toContainEqual({
        secret: { name: 'heapless-grafana', items: [{ key: 'admin-password', path: 'grafana/admin-password' }] },
      });
    }
  });

  it('provisions the datasource and every dashboard file from ConfigMaps small enough for client-side apply', () => {
    const spec = get('base', 'Deployment', 'heapless-grafana')['spec']['template']['spec'];
    const mounts = Object.fromEntries(
      spec['containers'][0]['volumeMounts'].map((m: Obj) => [m['name'], m['mountPath']]),
    );
    const provider = yaml.load(
      Object.values(configMap('base', 'heapless-grafana-dashboard-providers')['data'])[0] as string,
    ) as Obj;
    expect(provider['providers'][0]['options']['path']).toBe(mounts['dashboards']);
    const datasource = yaml.load(configMap('base', 'heapless-grafana-datasources')['data']['influxdb.yaml']) as Obj;
    expect(datasource['datasources'][0]).toMatchObject({
      uid: 'heapless-influxdb',
      type: 'influxdb',
      url: '$__env{INFLUX_URL}',
      jsonData: { dbName: '$__env{INFLUX_DB}', timeInterval: '60s' },
    });
    const projected = spec['volumes']
      .find((v: Obj) => v['name'] === 'dashboards')
      ['projected']['sources'].map((s: Obj) => s['configMap']['name']);
    const files = readdirSync(join(DEPLOY, 'grafana', 'dashboards')).sort();
    const provisioned: string[] = [];
    for (const name of projected) {
      const cm = objects('base').find((o) => o['kind'] === 'ConfigMap' && o['metadata']['name'] === name) as Obj;
      for (const [file, text] of Object.entries(cm['data'] as Record<string, string>)) {
        expect(text).toBe(readFileSync(join(DEPLOY, 'grafana', 'dashboards', file), 'utf8'));
        provisioned.push(file);
      }
      expect(JSON.stringify(cm).length, `${name} must fit kubectl's 256 KiB last-applied annotation`).toBeLessThan(
        200 * 1024,
      );
    }
    expect(provisioned.sort()).toEqual(files);
    const home = spec['containers'][0]['env'].find(
      (e: Obj) => e['name'] === 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH',
    )['value'];
    expect(files.map((f) => `${mounts['dashboards']}/${f}`)).toContain(home);
  });

  it('gives each workload its own ServiceAccount, and no API token to InfluxDB, Grafana and the rollup', () => {
    const sas = podTemplates('base').map((p) => p.spec['serviceAccountName']);
    expect(new Set(sas).size).toBe(sas.length);
    for (const name of ['heapless-influxdb', 'heapless-grafana', 'heapless-rollup']) {
      expect(get('base', 'ServiceAccount', name)['automountServiceAccountToken']).toBe(false);
      expect(
        podTemplates('base').find((p) => p.spec['serviceAccountName'] === name)?.spec['automountServiceAccountToken'],
      ).toBe(false);
    }
  });

  it('gives every component a NetworkPolicy: InfluxDB only from the functions and Grafana, Grafana and query on their own port', () => {
    const policies = objects('base').filter((o) => o['kind'] === 'NetworkPolicy');
    const selects = (sel: Obj, labels: Record<string, string>): boolean =>
      Object.entries((sel['matchLabels'] ?? {}) as Record<string, string>).every(([k, v]) => labels[k] === v) &&
      ((sel['matchExpressions'] ?? []) as Obj[]).every(
        (e) => e['operator'] === 'In' && (e['values'] as string[]).includes(labels[e['key']] as string),
      );
    const policyOf = (p: PodTemplate): Obj[] => policies.filter((np) => selects(np['spec']['podSelector'], p.labels));
    for (const p of podTemplates('base')) expect(policyOf(p).length, p.owner).toBe(1);
    const ingress = (name: string): Obj[] =>
      (policyOf(podTemplates('base').find((p) => p.name === name) as PodTemplate)[0] as Obj)['spec']['ingress'] ?? [];
    // InfluxDB: from exactly collect, events, rollup, query and Grafana.
    const [influxRule] = ingress('heapless-influxdb') as [Obj];
    const admitted = podTemplates('base')
      .filter((p) => influxRule['from'].some((f: Obj) => selects(f['podSelector'], p.labels)))
      .map((p) => p.name)
      .sort();
    expect(admitted).toEqual([
      'heapless-collect',
      'heapless-events',
      'heapless-grafana',
      'heapless-query',
      'heapless-rollup',
    ]);
    expect(influxRule['ports']).toEqual([{ port: 'http', protocol: 'TCP' }]);
    // Grafana and the query service: their own named container port, nothing else.
    for (const [name, port] of [
      ['heapless-grafana', 'http'],
      ['heapless-query', 'https'],
    ] as const) {
      expect(ingress(name)).toEqual([{ ports: [{ port, protocol: 'TCP' }] }]);
      const c = (podTemplates('base').find((p) => p.name === name) as PodTemplate).spec['containers'][0];
      expect(c['ports'].map((x: Obj) => x['name'])).toEqual([port]);
    }
    // The run-to-completion pods listen on nothing.
    for (const name of ['heapless-collect', 'heapless-events', 'heapless-rollup', 'heapless-credentials'])
      expect(ingress(name), name).toEqual([]);
  });

  it('enforces the restricted Pod Security Standard on the namespace', () => {
    expect(get('base', 'Namespace', 'heapless')['metadata']['labels']['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
  });
});

describe('the overlays', () => {
  it('knative: the functions become cluster-local Knative Services, one run per POST, each triggered every minute by a PingSource', () => {
    // The rollup stays a CronJob (overlays/knative/kustomization.yaml says why), unchanged.
    expect(
      objects('knative')
        .filter((o) => o['kind'] === 'CronJob')
        .map((o) => o['metadata']['name']),
    ).toEqual(['heapless-rollup']);
    expect(get('knative', 'CronJob', 'heapless-rollup')).toEqual(get('base', 'CronJob', 'heapless-rollup'));
    expect(get('knative', 'NetworkPolicy', 'heapless-rollup')).toEqual(get('base', 'NetworkPolicy', 'heapless-rollup'));
    for (const fn of ['collect', 'events']) {
      const ksvc = get('knative', 'Service', `heapless-${fn}`);
      const ping = get('knative', 'PingSource', `heapless-${fn}`);
      const tpl = ksvc['spec']['template'];
      expect(ksvc['apiVersion']).toBe('serving.knative.dev/v1');
      expect(ksvc['metadata']['labels']['networking.knative.dev/visibility']).toBe('cluster-local');
      expect(tpl['spec']['containerConcurrency']).toBe(1);
      expect(tpl['metadata']['annotations']['autoscaling.knative.dev/max-scale']).toBe('1');
      expect(tpl['spec']['timeoutSeconds']).toBeLessThan(60);
      expect(tpl['spec']['containers'][0]['command']).toEqual([
        'node',
        '/app/runtime/http-trigger.mjs',
        '/app/runtime/load.mjs',
        `/app/${fn}`,
      ]);
      expect(ping['spec']['schedule']).toBe('*/1 * * * *');
      expect(ping['spec']['sink']['ref']).toEqual({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        name: `heapless-${fn}`,
      });
    }
    expect(find('knative', 'Deployment', 'heapless-query')).toBeDefined();
  });

  it('sharded: the collect Job runs 5 indexed pods side by side, SHARD_COUNT matching, on a shared spool', () => {
    const job = get('sharded', 'CronJob', 'heapless-collect')['spec']['jobTemplate']['spec'];
    expect(job).toMatchObject({ completionMode: 'Indexed', completions: 5, parallelism: 5 });
    const env = Object.fromEntries(
      job['template']['spec']['containers'][0]['env'].map((e: Obj) => [e['name'], e['value']]),
    );
    expect(env['SHARD_COUNT']).toBe('5');
    expect(env['SPOOL_DIR']).toBe('/var/spool/heapless');
    const claim = get('sharded', 'PersistentVolumeClaim', 'heapless-collect-spool')['spec'];
    expect(claim['accessModes']).toEqual(['ReadWriteMany']);
    // The shards' spool caps add up to no more than the volume they share.
    expect(Number(env['SPOOL_MAX_BYTES']) * job['completions']).toBeLessThanOrEqual(
      bytes(claim['resources']['requests']['storage']),
    );
    expect(get('base', 'PersistentVolumeClaim', 'heapless-collect-spool')['spec']['accessModes']).toEqual([
      'ReadWriteOnce',
    ]);
    // The rollup is not sharded: one CronJob, as in the base (but for the config's hash suffix).
    const sameConfig = (t: Target): string =>
      JSON.stringify(get(t, 'CronJob', 'heapless-rollup')).replaceAll(
        configMap(t, 'heapless-config')['metadata']['name'],
        'heapless-config',
      );
    expect(sameConfig('sharded')).toEqual(sameConfig('base'));
    // At this size it keeps only the capacity-planning types, and the query service reads the same.
    expect(configMap('sharded', 'heapless-config')['data']['ROLLUP_TYPES']).toBe(
      'node,ns,workload,cluster,sys_container',
    );
    expect(readRollupConfig(functionEnv('sharded', 'heapless-rollup')).rollupTypes).toEqual(
      readQueryConfig(functionEnv('sharded', 'heapless-query')).rollupTypes,
    );
  });

  it('every collector’s spool cap fits its volume (base, knative)', () => {
    for (const t of ['base', 'knative'] as const) {
      const p = podTemplates(t).find((x) => x.name === 'heapless-collect') as PodTemplate;
      const c = p.spec['containers'][0];
      const env = Object.fromEntries(c['env'].map((e: Obj) => [e['name'], e['value']]));
      const mount = c['volumeMounts'].find((m: Obj) => m['mountPath'] === env['SPOOL_DIR']);
      const claimName = p.spec['volumes'].find((v: Obj) => v['name'] === mount['name'])['persistentVolumeClaim'][
        'claimName'
      ];
      const claim = get(t, 'PersistentVolumeClaim', claimName)['spec'];
      expect(Number(env['SPOOL_MAX_BYTES']), t).toBeLessThanOrEqual(bytes(claim['resources']['requests']['storage']));
    }
  });

  it('kube-prometheus-stack: no Grafana of its own; dashboards and datasource for the sidecars; InfluxDB admits that Grafana; a ServiceMonitor', () => {
    const t = 'kube-prometheus-stack';
    for (const kind of ['Deployment', 'Service', 'PersistentVolumeClaim', 'NetworkPolicy', 'ServiceAccount'])
      expect(find(t, kind, 'heapless-grafana'), kind).toBeUndefined();
    const dashboards = objects(t).filter(
      (o) => o['kind'] === 'ConfigMap' && /^heapless-dashboard-/.test(o['metadata']['name']),
    );
    const files = readdirSync(join(DEPLOY, 'grafana', 'dashboards')).sort();
    expect(dashboards.flatMap((d) => Object.keys(d['data'])).sort()).toEqual(files);
    for (const d of dashboards) {
      expect(d['metadata']['labels']['grafana_dashboard'], d['metadata']['name']).toBe('1');
      expect(d['metadata']['annotations']['grafana_folder']).toBe('Kubernetes (heapless)');
    }
    const sources = objects(t).filter(
      (o) => o['kind'] === 'ConfigMap' && o['metadata']['labels']?.['grafana_datasource'] === '1',
    );
    expect(sources).toHaveLength(1);
    const ds = (yaml.load(Object.values(sources[0]?.['data'] as Record<string, string>)[0] as string) as Obj)[
      'datasources'
    ][0];
    const influxSvc = get('base', 'Service', 'heapless-influxdb');
    expect(ds).toMatchObject({
      uid: 'heapless-influxdb',
      type: 'influxdb',
      url: `http://heapless-influxdb.heapless.svc:${influxSvc['spec']['ports'][0]['port']}`,
      user: 'heapless-reader',
      jsonData: { dbName: configMap(t, 'heapless-config')['data']['INFLUX_DB'] },
    });
    const rules = get(t, 'NetworkPolicy', 'heapless-influxdb')['spec']['ingress'] as Obj[];
    expect(rules.slice(0, -1)).toEqual(get('base', 'NetworkPolicy', 'heapless-influxdb')['spec']['ingress']);
    expect(rules[rules.length - 1]?.['from']).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
      },
    ]);
    const sm = get(t, 'ServiceMonitor', 'heapless-query');
    const svc = get(t, 'Service', 'heapless-query');
    expect(sm['spec']['selector']['matchLabels']).toEqual({ 'app.kubernetes.io/name': 'heapless-query' });
    expect(svc['metadata']['labels']['app.kubernetes.io/name']).toBe('heapless-query');
    expect(sm['spec']['namespaceSelector']['matchNames']).toEqual([svc['metadata']['namespace']]);
    expect(sm['spec']['endpoints']).toEqual([
      expect.objectContaining({ port: svc['spec']['ports'][0]['name'], scheme: 'https', path: '/metrics' }),
    ]);
    for (const other of NAMES.filter((x) => x !== t))
      expect(
        objects(other).filter((o) => o['kind'] === 'ServiceMonitor'),
        other,
      ).toEqual([]);
  });

  it('apiserver-proxy: KUBELET_ACCESS=apiserver-proxy', () => {
    expect(configMap('apiserver-proxy', 'heapless-config')['data']['KUBELET_ACCESS']).toBe('apiserver-proxy');
    expect(configMap('base', 'heapless-config')['data']['KUBELET_ACCESS']).toBe('direct');
  });

  it('nodeport: Grafana and the query API on fixed NodePorts, Grafana at the root path without anonymous access', () => {
    expect(get('nodeport', 'Service', 'heapless-grafana')['spec']).toMatchObject({
      type: 'NodePort',
      ports: [expect.objectContaining({ nodePort: 30300 })],
    });
    expect(get('nodeport', 'Service', 'heapless-query')['spec']).toMatchObject({
      type: 'NodePort',
      ports: [expect.objectContaining({ name: 'https', port: 443, nodePort: 30443 })],
    });
    const env = Object.fromEntries(
      get('nodeport', 'Deployment', 'heapless-grafana')['spec']['template']['spec']['containers'][0]['env'].map(
        (e: Obj) => [e['name'], e['value']],
      ),
    );
    expect(env['GF_SERVER_ROOT_URL']).toBe('%(protocol)s://%(domain)s:%(http_port)s/');
  });

  it('external-influxdb: no bundled InfluxDB; the URL from the config and a token Secret for every reader and writer', () => {
    for (const kind of ['StatefulSet', 'Service', 'NetworkPolicy', 'ServiceAccount'])
      expect(find('external-influxdb', kind, 'heapless-influxdb'), kind).toBeUndefined();
    expect(configMap('external-influxdb', 'heapless-config')['data']['INFLUX_URL']).toMatch(/^https:\/\//);
    const clients = podTemplates('external-influxdb').filter((x) =>
      ['heapless-collect', 'heapless-events', 'heapless-rollup', 'heapless-query'].includes(x.name),
    );
    expect(clients).toHaveLength(4);
    for (const p of clients) {
      const env = Object.fromEntries((p.spec['containers'][0]['env'] as Obj[]).map((e) => [e['name'], e['value']]));
      expect(env['INFLUX_TOKEN_FILE'], p.owner).toBe('/var/run/secrets/heapless/influxdb/token');
      expect(env['INFLUX_USERNAME'], p.owner).toBeUndefined();
      expect(env['INFLUX_PASSWORD_FILE'], p.owner).toBeUndefined();
    }
    const ds = yaml.load(
      configMap('external-influxdb', 'heapless-grafana-datasources')['data']['influxdb.yaml'],
    ) as Obj;
    expect(ds['datasources'][0]['secureJsonData']['httpHeaderValue1']).toBe(
      'Token $__file{/var/run/secrets/heapless/influxdb/token}',
    );
  });
});

// --- RBAC ----------------------------------------------------------------------------------------

/** Every right each ServiceAccount holds, one line per resource and verb. */
function grants(t: Target): string[] {
  const roles = new Map(
    objects(t)
      .filter((o) => o['kind'] === 'Role' || o['kind'] === 'ClusterRole')
      .map((o) => [`${o['kind']}/${o['metadata']['name']}`, o]),
  );
  const out: string[] = [];
  for (const b of objects(t).filter((o) => o['kind'] === 'RoleBinding' || o['kind'] === 'ClusterRoleBinding')) {
    const scope = b['kind'] === 'RoleBinding' ? `namespace ${b['metadata']['namespace']}` : 'cluster';
    const ref = `${b['roleRef']['kind']}/${b['roleRef']['name']}`;
    for (const s of b['subjects']) {
      const who = `${s['namespace']}/${s['name']}`;
      const role = roles.get(ref);
      if (!role) {
        out.push(`${who}: ${scope}: built-in ${ref}`);
        continue;
      }
      for (const r of role['rules']) {
        for (const g of r['apiGroups'])
          for (const res of r['resources'])
            for (const v of r['verbs'])
              out.push(
                `${who}: ${scope}: ${v} ${g ? `${g}/` : ''}${res}${r['resourceNames'] ? ` [${r['resourceNames'].join(',')}]` : ''}`,
              );
      }
    }
  }
  for (const role of objects(t).filter(
    (o) =>
      o['kind'] === 'ClusterRole' &&
      o['metadata']['labels']?.['rbac.authorization.k8s.io/aggregate-to-view'] === 'true',
  )) {
    for (const r of role['rules'])
      for (const g of r['apiGroups'])
        for (const res of r['resources'])
          for (const v of r['verbs']) out.push(`aggregated into view/edit/admin: ${v} ${g}/${res}`);
  }
  return out.sort();
}

const BASE_GRANTS = [
  // collect: list nodes and pods, read each kubelet's /stats/summary.
  'heapless/heapless-collect: cluster: get nodes',
  'heapless/heapless-collect: cluster: list nodes',
  'heapless/heapless-collect: cluster: get nodes/stats',
  'heapless/heapless-collect: cluster: list pods',
  'heapless/heapless-collect: cluster: list apps/replicasets',
  'heapless/heapless-collect: cluster: list batch/jobs',
  // events: list events in either API (one LIST a run, never a watch).
  'heapless/heapless-events: cluster: list events',
  'heapless/heapless-events: cluster: list events.k8s.io/events',
  // query: what an aggregated API server needs (TokenReview/SubjectAccessReview, front-proxy CA).
  'heapless/heapless-query: cluster: built-in ClusterRole/system:auth-delegator',
  'heapless/heapless-query: namespace kube-system: built-in Role/extension-apiserver-authentication-reader',
  // credentials: create the generated Secrets, read back only those two.
  'heapless/heapless-credentials: namespace heapless: create secrets',
  'heapless/heapless-credentials: namespace heapless: get secrets [heapless-influxdb,heapless-grafana]',
  // users with view/edit/admin may read metrics.k8s.io (kubectl top), as with metrics-server.
  'aggregated into view/edit/admin: get metrics.k8s.io/pods',
  'aggregated into view/edit/admin: list metrics.k8s.io/pods',
  'aggregated into view/edit/admin: watch metrics.k8s.io/pods',
  'aggregated into view/edit/admin: get metrics.k8s.io/nodes',
  'aggregated into view/edit/admin: list metrics.k8s.io/nodes',
  'aggregated into view/edit/admin: watch metrics.k8s.io/nodes',
].sort();

describe('RBAC', () => {
  it('the base grants exactly the list, nothing more', () => {
    expect(grants('base')).toEqual(BASE_GRANTS);
  });

  it('the rollup holds no right in any variant: no (Cluster)RoleBinding names its ServiceAccount', () => {
    for (const t of NAMES) {
      expect(find(t, 'ServiceAccount', 'heapless-rollup'), t).toBeDefined();
      expect(
        grants(t).filter((g) => g.startsWith('heapless/heapless-rollup:')),
        t,
      ).toEqual([]);
      for (const kind of ['Role', 'ClusterRole'])
        expect(find(t, kind, 'heapless-rollup'), `${t} ${kind}`).toBeUndefined();
    }
  });

  it('only the apiserver-proxy overlay swaps the collector’s nodes/stats for nodes/proxy', () => {
    const swap = (g: string) =>
      g === 'heapless/heapless-collect: cluster: get nodes/stats'
        ? 'heapless/heapless-collect: cluster: get nodes/proxy'
        : g;
    expect(grants('apiserver-proxy')).toEqual(BASE_GRANTS.map(swap).sort());
    for (const t of NAMES.filter((x) => x !== 'apiserver-proxy'))
      expect(
        grants(t).filter((g) => g.includes('nodes/proxy')),
        t,
      ).toEqual([]);
  });

  it('no overlay uses wildcards or escalating verbs, or reads Secrets beyond the credentials Job’s own', () => {
    for (const t of NAMES) {
      const all = grants(t);
      expect(
        all.filter((g) => /\*|escalate|bind|impersonate/.test(g)),
        t,
      ).toEqual([]);
      expect(
        all.filter((g) => /(get|list|watch) secrets/.test(g) && !g.includes('heapless-credentials')),
        t,
      ).toEqual([]);
    }
    expect(grants('external-influxdb')).toContain(
      'heapless/heapless-credentials: namespace heapless: get secrets [heapless-grafana]',
    );
  });
});

// --- settings ------------------------------------------------------------------------------------

const READERS: Record<string, { table: Record<string, { env: string }>; read: (env: NodeJS.ProcessEnv) => unknown }> = {
  collect: { table: collectSettings, read: readCollectConfig },
  events: { table: eventsSettings, read: readEventsConfig },
  query: { table: querySettings, read: readQueryConfig },
  rollup: { table: rollupSettings, read: readRollupConfig },
};
/** Set by the platform or read by the image's other parts, not by the functions' settings tables. */
const PLATFORM_ENV = ['NODE_OPTIONS', 'RUN_TIMEOUT_SECONDS'];

/** The environment a function's container gets: heapless-config (envFrom) overridden by its own env. */
function functionEnv(target: Target, name: string): Record<string, string> {
  const c = podTemplates(target).find((p) => p.name === name)?.spec['containers'][0];
  if (!c) throw new Error(`${target}: no workload ${name}`);
  const cm = configMap(target, 'heapless-config')['data'] as Record<string, string>;
  const env: Record<string, string> = (c['envFrom'] ?? []).some((e: Obj) => e['configMapRef']) ? { ...cm } : {};
  for (const e of c['env'] ?? []) env[e['name']] = e['value'] ?? 'from-a-secret';
  return env;
}

describe.each(NAMES)('settings in %s', (target) => {
  it('the query service reads the rollup’s ROLLUP_LEVELS, ROLLUP_TYPES and INFLUX_RETENTION', () => {
    const rollup = readRollupConfig(functionEnv(target, 'heapless-rollup'));
    const query = readQueryConfig(functionEnv(target, 'heapless-query'));
    expect(query.rollupLevels).toEqual(rollup.rollupLevels);
    expect(query.rollupTypes).toEqual(rollup.rollupTypes);
    expect(query.influxRetention).toBe(readCollectConfig(functionEnv(target, 'heapless-collect')).influxRetention);
  });

  it('every function’s environment parses with its settings table, and names no unknown variable', () => {
    const cm = configMap(target, 'heapless-config')['data'] as Record<string, string>;
    let checked = 0;
    for (const p of podTemplates(target)) {
      const c = p.spec['containers'][0];
      const fn = /\/app\/runtime\/load\.mjs \/app\/([a-z]+)$/.exec((c['command'] ?? []).join(' '))?.[1];
      const reader = fn ? READERS[fn] : undefined;
      if (!reader) continue;
      const env: Record<string, string> = {};
      if ((c['envFrom'] ?? []).some((e: Obj) => e['configMapRef'])) Object.assign(env, cm);
      for (const e of c['env'] ?? [])
        env[e['name']] =
          e['value'] ??
          (e['valueFrom']?.['configMapKeyRef'] ? cm[e['valueFrom']['configMapKeyRef']['key']] : 'from-a-secret');
      const known = new Set([...Object.values(reader.table).map((s) => s.env), ...PLATFORM_ENV]);
      const own = (c['env'] ?? []).map((e: Obj) => e['name'] as string);
      expect(
        own.filter((n: string) => !known.has(n)),
        `${p.owner}`,
      ).toEqual([]);
      expect(() => reader.read(env), p.owner).not.toThrow();
      checked++;
    }
    expect(checked).toBe(4);
  });

  it('the query service serves HTTPS only, on its container port', () => {
    const c = podTemplates(target).find((p) => p.name === 'heapless-query')?.spec['containers'][0];
    const env = Object.fromEntries((c['env'] as Obj[]).map((e) => [e['name'], e['value'] ?? 'x']));
    const config = readQueryConfig({
      ...(configMap(target, 'heapless-config')['data'] as Record<string, string>),
      ...env,
    });
    expect(config.httpPort).toBeUndefined();
    expect(c['ports'].map((x: Obj) => x['containerPort'])).toEqual([config.queryPort]);
  });
});

// --- the image -----------------------------------------------------------------------------------

describe('the image', () => {
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
  const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1] ?? '';

  it('is multi-stage: the build stage bundles, the runtime stage is Node LTS with the bundles only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/npm ci/);
    expect(stages[0]).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=(\d+)$/m);
    expect(Number(/^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1]) % 2, 'Node LTS lines are even').toBe(0);
    expect(runtime).toMatch(/COPY --from=build \/src\/dist\/ \/app\//);
    expect(runtime).toMatch(/COPY deploy\/base\/runtime\/ \/app\/runtime\//);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it('runs as the same numeric non-root user the manifests declare, and labels its version', () => {
    const user = /^USER (\d+):(\d+)$/m.exec(runtime);
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(runtime).toMatch(/org\.opencontainers\.image\.version="\$\{VERSION\}"/);
    for (const p of podTemplates('base').filter((x) => String(x.spec['containers'][0]['image']).startsWith('node:'))) {
      expect(p.spec['securityContext']['runAsUser'], p.owner).toBe(Number(user?.[1]));
    }
    expect(lines.some((l) => l.startsWith('ENTRYPOINT'))).toBe(true);
  });

  it('builds from a context that holds the sources and nothing else', () => {
    const ignore = readFileSync(join(DEPLOY, 'Dockerfile.dockerignore'), 'utf8');
    expect(ignore.split('\n')).toContain('*');
    for (const copied of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'esbuild.config.mjs',
      'scripts/',
      'functions/',
      'shared/',
      'deploy/base/runtime/',
    ]) {
      expect(ignore.split('\n'), copied).toContain(`!${copied}`);
      expect(existsSync(join(PROJECT_DIR, copied)), copied).toBe(true);
    }
  });
});
