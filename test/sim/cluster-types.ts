/**
 * @module sim/cluster-types
 * Public types of the simulated cluster (re-exported by sim/cluster).
 */
import type { ApiAnswer } from '#test/sim/api-routes';
import type { CertKeyPair } from '#shared/tls/certificates';
import type { ApiGroupExtension } from '#test/sim/api-discovery';
import type { SimAuth, SimFrontProxy } from '#test/sim/api-auth';
import type { SimClock } from '#test/sim/clock';
import type { Fault } from '#test/sim/faults';
import type { RequestLog } from '#test/sim/request-log';
import type { GroundTruth } from '#test/sim/truth';

export interface SimOptions {
  /** Generated nodes (default 3). */
  nodes?: number;
  /** Default 4. */
  podsPerNode?: number;
  /** Default 2. */
  containersPerPod?: number;
  /** Generated pods are spread over `ns-0` … `ns-<n-1>` (default 2). */
  namespaces?: number;
  /** File names from shared/fixtures/kubelet-summary served as extra, replayed nodes. */
  fixtureNodes?: string[];
  /** Simulated clock start in ms (default: now, rounded down to a whole second). */
  startTimeMs?: number;
  /** Default false: kubelets serve HTTPS with certificates from the sim CA. */
  insecureHttpKubelets?: boolean;
  /** Default true: kubelets want `Authorization: Bearer <token>`. */
  kubeletTokenRequired?: boolean;
  /** Where to write kubeconfig and CA (default: a new temp folder, removed by stop()). */
  dir?: string;
  /** Default false; true = every kubelet on 127.0.0.1 with its own port (thousands of nodes). */
  sameAddress?: boolean;
  /**
   * Default false; true = LISTs ignore `limit` and answer whole, streamed (as a read served from
   * the API server's watch cache can), to check a collector's memory stays bounded.
   */
  apiIgnoresLimit?: boolean;
  /**
   * Pods are sent as protobuf to a client that asks for it (default true, as every real API
   * server does for built-in types); false answers JSON only, like a proxy that strips it.
   */
  apiProtobuf?: boolean;
  /** Paged list answers are written in pieces of this many bytes (default: whole), e.g. 1. */
  apiPieceBytes?: number;
  /**
   * `constant` (default): every gauge and rate is constant, as most tests want. `varying`: daily
   * cycles, noise, bursts, a leak and an OOM-killed container (sim/varying-usage), exact truth
   * through sim/usage-truth.
   */
  usage?: 'constant' | 'varying';
  /** Seed of the varying usage's phases (default 1). */
  seed?: number;
  /** API groups listed by `GET /apis` (and served under `/apis/<name>` when they have a handler). */
  extraApiGroups?: ApiGroupExtension[];
}

export interface SimNodeInfo {
  name: string;
  address: string;
  port: number;
  kind: 'generated' | 'fixture';
}

export interface SimCluster {
  /** `https://127.0.0.1:<port>` */
  apiUrl: string;
  /** kubeconfig with the CA data, server and user token (client-node and kubectl 1.32). */
  kubeconfigPath: string;
  /** PEM of the CA that signed the API server's and every kubelet's serving certificate. */
  caFile: string;
  /** The CA itself (certificate and key), to issue more certificates it vouches for. */
  ca: CertKeyPair;
  /** Bearer token the API server and the kubelets accept. */
  token: string;
  nodes: SimNodeInfo[];
  clock: SimClock;
  truth: GroundTruth;
  /** TokenReview / SubjectAccessReview answers and the authentication ConfigMap (sim/api-auth); mutable. */
  auth: SimAuth;
  /** kube-apiserver's front-proxy CA and client certificate (made on first use), as the aggregation layer presents it. */
  readonly frontProxy: SimFrontProxy;
  /** Mutable: push a group to make `GET /apis` list it (e.g. metrics.k8s.io). */
  extraApiGroups: ApiGroupExtension[];
  /** New start time = now, counters restart from 0, restartCount + 1 (generated pods only). */
  restartContainer(namespace: string, pod: string, container: string): void;
  /**
   * Set or clear (undefined) a kubelet fault. Resolves once the listener reflects it; await it
   * when leaving `down` (re-listening is asynchronous).
   */
  setFault(node: string, fault: Fault | undefined): Promise<void>;
  /** Serve this 200 answer at an API path (e.g. `/api/v1/pods`) instead of the real one; undefined: restore. */
  setApiAnswer(path: string, answer: ApiAnswer | undefined): void;
  /** core/v1 Event objects to serve; same namespace/name replaces the stored one in place. */
  addEvents(events: object[]): void;
  requests: RequestLog;
  /** Close every server and socket; remove the temp dir if the simulator made it. */
  stop(): Promise<void>;
}
