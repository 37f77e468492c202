/**
 * `npx tsx bench/listing.ts [--scenario 1000x30]`: what listing a shard's pods costs the collector,
 * JSON and protobuf side by side. The simulated cluster runs in this process; each listing runs in
 * a child process of its own (bench/list-once.ts, bundled by esbuild as the collector is), so its
 * CPU is the client's alone: TLS, the
 * splitter and decoding, not the simulator's serving. The simulator's answers are warmed first
 * (its protobuf encodings are cached, as an API server's watch cache holds its objects), and each
 * format is listed five times; the least wall and CPU are kept. One JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { unminifiedBundle } from '#bench/unminified-bundle';
import { startCluster } from '#test/sim/cluster';
import { scenarioCluster } from '#bench/scenarios';
import { listPods } from '#shared/kube/list';
import { loadKubeConfig } from '#shared/kube/config';
import { PROJECT_DIR } from '#test/helpers/paths';

interface Listed {
  pods: number;
  wallMs: number;
  cpuMs: number;
}

const BUNDLE = `${PROJECT_DIR}/.cache/listing/list-once.mjs`;

function listOnce(kubeconfig: string, format: 'json' | 'protobuf'): Promise<Listed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, kubeconfig, format], {
      cwd: PROJECT_DIR,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Listed) : reject(new Error(`list-once exited ${code}: ${out}`)),
    );
  });
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--scenario');
  const [nodes, podsPerNode] = (at >= 0 ? (process.argv[at + 1] ?? '') : '1000x30').split('x').map(Number);
  if (!nodes || !podsPerNode) throw new Error('--scenario must be <nodes>x<podsPerNode>, e.g. 1000x30');
  mkdirSync(`${PROJECT_DIR}/.cache/listing`, { recursive: true });
  // list-once as the collector ships: one bundle, no TypeScript loader at run time.
  await unminifiedBundle(`${PROJECT_DIR}/bench/list-once.ts`, BUNDLE);
  const sim = await startCluster(scenarioCluster({ name: 'listing', nodes, podsPerNode, shards: 1 }));
  try {
    // Warm the simulator: its pods built and their protobuf encodings cached.
    await listPods(loadKubeConfig(sim.kubeconfigPath), { pageSize: 500, timeoutMs: 600_000 });
    const out: Record<string, Listed> = {};
    for (const format of ['json', 'protobuf'] as const) {
      const runs = [];
      for (let i = 0; i < 5; i++) runs.push(await listOnce(sim.kubeconfigPath, format));
      out[format] = {
        pods: runs[0]?.pods ?? 0,
        wallMs: Math.min(...runs.map((r) => r.wallMs)),
        cpuMs: Math.min(...runs.map((r) => r.cpuMs)),
      };
    }
    process.stdout.write(`${JSON.stringify({ scenario: `${nodes}x${podsPerNode}`, pageSize: 500, ...out })}\n`);
  } finally {
    await sim.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`listing bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
