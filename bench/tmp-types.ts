import { InfluxClient } from '#shared/influx/client';
import { restoreData } from '#bench/rollup-disk';
import { startInfluxd } from '#test/influxd/server';
const influx = await startInfluxd();
try {
  const saved = await restoreData<{ startMs: number }>(influx, process.argv[2]!);
  const client = new InfluxClient({ url: influx.url, db: 'k8s', auth: {}, timeoutMs: 600_000 });
  const t = (ms: number) => `${ms * 1e6}`;
  const [res] = await client.query(
    `SELECT count(value) FROM heapless./.*/ WHERE time >= ${t(saved.startMs + 60_000)} AND time < ${t(saved.startMs + 120_000)} GROUP BY "type"`,
  );
  const byType = new Map<string, number>();
  for (const s of res?.series ?? [])
    byType.set(s.tags?.type ?? '', (byType.get(s.tags?.type ?? '') ?? 0) + Number(s.values[0]?.[1]));
  console.log(JSON.stringify(Object.fromEntries(byType)));
} finally {
  await influx.stop();
}
