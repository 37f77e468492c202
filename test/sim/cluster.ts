/**
 * @module sim/cluster
 * A simulated Kubernetes cluster over real HTTP(S) on loopback: an API server and one kubelet
 * per node, all driven by a simulated clock. Used by tests, `npm start` and the benchmarks.
 *
 * @example
 * const sim = await startCluster({ nodes: 2 });
 * sim.clock.advance(60);
 * // … scrape sim.apiUrl / the kubelets with sim.token, compare with sim.truth …
 * await sim.stop();
 */
import { podEncoder } from '#test/sim/pod-protobuf';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCert, type CertKeyPair } from '#shared/tls/certificates';
import type { FixtureNodeTruth, GroundTruth } from '#test/sim/truth';
import type { SimCluster, SimNodeInfo, SimOptions } from '#test/sim/cluster-types';
import { createClock, wholeSecondMs } from '#test/sim/clock';
import { kubeletAddresses } from '#test/sim/addresses';
import { generateNodes } from '#test/sim/generated';
import { addVaryingUsage } from '#test/sim/varying-usage';
import { loadFixtureNode, type FixtureNode } from '#test/sim/fixtures';
import { apiData, createClusterState, renderSummary, type ClusterState } from '#test/sim/cluster-state';
import { createKubeletTls } from '#test/sim/kubelet-tls';
import { startKubelets, type KubeletFleet } from '#test/sim/kubelet-server';
import { startApiServer, type ApiServer } from '#test/sim/api-server';
import { writeKubeconfig } from '#test/sim/kubeconfig';
import { createRequestLog, type RequestLog } from '#test/sim/request-log';
import { createSimAuth, type SimAuth } from '#test/sim/api-auth';

export type { SimCluster, SimNodeInfo, SimOptions } from '#test/sim/cluster-types';
export type { Fault } from '#test/sim/faults';
export type { RequestLog } from '#test/sim/request-log';
export type { ApiGroupExtension } from '#test/sim/api-discovery';
export type * from '#test/sim/truth';

export async function startCluster(opts: SimOptions = {}): Promise<SimCluster> {
  const startTimeMs = opts.startTimeMs ?? wholeSecondMs(Date.now());
  const fixtures = (opts.fixtureNodes ?? []).map(loadFixtureNode);
  const truth = buildTruth(opts, startTimeMs, fixtures);
  const state = createClusterState(createClock(startTimeMs), truth, fixtures, [...(opts.extraApiGroups ?? [])]);
  const ca = createCa('heapless-sim-ca');
  const token = randomBytes(24).toString('hex');
  const auth = createSimAuth(token);
  const log = createRequestLog();
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'heapless-sim-')));
  const cleanup: Array<() => Promise<void>> = [];
  if (!opts.dir) cleanup.push(() => rm(dir, { recursive: true, force: true }));
  try {
    const fleet = await startFleet(opts, state, ca, token, log);
    cleanup.unshift(() => fleet.close());
    const api = await startApi(state, ca, token, log, fleet, opts, auth);
    cleanup.unshift(() => api.close());
    const files = await writeKubeconfig(dir, api.url, ca.certPem, token);
    return simHandle({ state, ca, token, log, fleet, api, auth, ...files, cleanup });
  } catch (error) {
    await runAll(cleanup);
    throw error;
  }
}

function buildTruth(opts: SimOptions, startTimeMs: number, fixtures: FixtureNode[]): GroundTruth {
  const namespaces = Array.from({ length: opts.namespaces ?? 2 }, (_, i) => `ns-${i}`);
  const nodes = generateNodes({
    nodes: opts.nodes ?? 3,
    podsPerNode: opts.podsPerNode ?? 4,
    containersPerPod: opts.containersPerPod ?? 2,
    namespaces,
    startTimeMs,
  });
  if (opts.usage === 'varying') addVaryingUsage(nodes, opts.seed ?? 1, startTimeMs);
  const names = [...nodes.map((n) => n.name), ...fixtures.map((f) => f.name)];
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new Error(`two simulated nodes are named ${duplicate}`);
  const addresses = kubeletAddresses(names.length, opts.sameAddress ?? false);
  nodes.forEach((node, i) => (node.address = addresses[i] ?? ''));
  const fixtureNodes: FixtureNodeTruth[] = fixtures.map((f, i) => ({
    name: f.name,
    file: f.file,
    address: addresses[nodes.length + i] ?? '',
    port: 0,
    baseTimeMs: startTimeMs,
  }));
  return { startTimeMs, namespaces, nodes, fixtureNodes };
}

async function startFleet(
  opts: SimOptions,
  state: ClusterState,
  ca: CertKeyPair,
  token: string,
  log: RequestLog,
): Promise<KubeletFleet> {
  const all = [...state.truth.nodes, ...state.truth.fixtureNodes];
  const fleet = await startKubelets({
    nodes: all.map((n) => ({ name: n.name, address: n.address })),
    tls: opts.insecureHttpKubelets
      ? undefined
      : createKubeletTls(
          ca,
          all.map((n) => n.address),
        ),
    token: (opts.kubeletTokenRequired ?? true) ? token : undefined,
    samePort: !(opts.sameAddress ?? false),
    render: (name) => renderSummary(state, name),
    log,
  });
  for (const node of all) node.port = fleet.endpoint(node.name)?.port ?? 0;
  return fleet;
}

function startApi(
  state: ClusterState,
  ca: CertKeyPair,
  token: string,
  log: RequestLog,
  fleet: KubeletFleet,
  opts: SimOptions,
  auth: SimAuth,
): Promise<ApiServer> {
  const serving = issueCert(ca, {
    commonName: 'kube-apiserver',
    ipSans: ['127.0.0.1'],
    dnsSans: ['localhost', 'kubernetes', 'kubernetes.default.svc'],
    usage: 'server',
  });
  const kubeletCa = opts.insecureHttpKubelets ? undefined : ca.certPem;
  const proxy = { kubelet: (name: string) => fleet.endpoint(name), kubeletCa, token };
  const data = {
    ...apiData(state),
    auth,
    ignoreLimit: opts.apiIgnoresLimit ?? false,
    ...(opts.apiPieceBytes ? { pieceBytes: opts.apiPieceBytes } : {}),
    ...((opts.apiProtobuf ?? true) ? { protobuf: podEncoder() } : {}),
  };
  return startApiServer({ data, token, serving, proxy, log });
}

interface HandleParts {
  state: ClusterState;
  ca: CertKeyPair;
  token: string;
  log: RequestLog;
  fleet: KubeletFleet;
  api: ApiServer;
  auth: SimAuth;
  kubeconfigPath: string;
  caFile: string;
  cleanup: Array<() => Promise<void>>;
}

function simHandle(p: HandleParts): SimCluster {
  const { state } = p;
  let stopped: Promise<void> | undefined;
  return {
    apiUrl: p.api.url,
    kubeconfigPath: p.kubeconfigPath,
    caFile: p.caFile,
    ca: p.ca,
    token: p.token,
    nodes: nodeInfos(state.truth),
    clock: state.clock,
    truth: state.truth,
    auth: p.auth,
    get frontProxy() {
      return p.auth.frontProxy;
    },
    extraApiGroups: state.extraApiGroups,
    restartContainer: (ns, pod, container) => restartContainer(state, ns, pod, container),
    setFault: (node, fault) => p.fleet.setFault(node, fault),
    setApiAnswer: (path, answer) => {
      if (answer) state.apiAnswers.set(path, answer);
      else state.apiAnswers.delete(path);
    },
    addEvents: (events) => state.events.upsert(events),
    requests: p.log,
    stop: () => (stopped ??= runAll(p.cleanup)),
  };
}

function nodeInfos(truth: GroundTruth): SimNodeInfo[] {
  const info = (kind: SimNodeInfo['kind']) => (n: { name: string; address: string; port: number }) =>
    ({ name: n.name, address: n.address, port: n.port, kind }) satisfies SimNodeInfo;
  return [...truth.nodes.map(info('generated')), ...truth.fixtureNodes.map(info('fixture'))];
}

function restartContainer(state: ClusterState, ns: string, podName: string, name: string): void {
  const pod = state.truth.nodes.flatMap((n) => n.pods).find((p) => p.namespace === ns && p.name === podName);
  const container = pod?.containers.find((c) => c.name === name);
  if (!pod || !container) throw new Error(`no generated container ${ns}/${podName}/${name}`);
  container.startTimeMs = wholeSecondMs(state.clock.nowMs());
  container.restartCount += 1;
  state.podVersions.set(pod.uid, state.nextResourceVersion());
}

/** Run every cleanup step even when one fails; report the first failure. */
async function runAll(steps: Array<() => Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(steps.map((step) => step()));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
