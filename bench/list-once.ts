/**
 * `node <bundle of bench/list-once.ts> <kubeconfig> json|protobuf`: one listing of every pod, as
 * a run makes it (500 a page), in a process of its own; prints its pods, wall and CPU ms (the
 * module loading before it excluded). Used by bench/listing.ts.
 */
import { createListClient } from '#shared/kube/stream-list';
import { loadKubeConfig } from '#shared/kube/config';
import { decodePod } from '#shared/decode/objects';
import { decodePodProtobuf } from '#shared/decode/pod-protobuf';

const [kubeconfig, format] = process.argv.slice(2);
const lists = await createListClient(loadKubeConfig(kubeconfig));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let pods = 0;
await lists.list(
  '/api/v1/pods',
  {},
  { pageSize: 500, timeoutMs: 600_000, what: 'pods' },
  (item) => {
    if (decodePod(item)) pods++;
  },
  format === 'protobuf'
    ? (bytes) => {
        if (decodePodProtobuf(bytes)) pods++;
      }
    : undefined,
);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({
    pods,
    wallMs: Math.round(performance.now() - t0),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  }),
);
