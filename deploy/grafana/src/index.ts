/**
 * @module deploy/grafana
 * Every provisioned dashboard, by file name under deploy/grafana/dashboards/.
 * `npx tsx deploy/grafana/src/generate.ts` writes them; test/deploy-dashboards.test.ts checks
 * that the files equal this output and that every query returns data.
 */
import {
  clusterDashboard,
  namespaceDashboard,
  namespaceWorkloadsDashboard,
  nodeDashboard,
  podDashboard,
  workloadDashboard,
} from './compute';
import { heapsterClusterDashboard, heapsterPodsDashboard } from './heapster';
import { eventsDashboard, selfDashboard } from './operations';
import { rightSizingDashboard } from './rightsizing';
import type { Json } from './panels';

export function buildDashboards(): Record<string, Json> {
  return {
    'heapless-cluster.json': clusterDashboard(),
    'heapless-namespace.json': namespaceDashboard(),
    'heapless-namespace-workloads.json': namespaceWorkloadsDashboard(),
    'heapless-workload.json': workloadDashboard(),
    'heapless-node.json': nodeDashboard(),
    'heapless-pod.json': podDashboard(),
    'heapster-cluster.json': heapsterClusterDashboard(),
    'heapster-pods.json': heapsterPodsDashboard(),
    'heapless-events.json': eventsDashboard(),
    'heapless-self.json': selfDashboard(),
    'heapless-rightsizing.json': rightSizingDashboard(),
  };
}

/** The exact file text: two-space JSON and a final newline. */
export function dashboardFile(d: Json): string {
  return JSON.stringify(d, null, 2) + '\n';
}
