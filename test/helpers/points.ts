/**
 * @module test/helpers/points
 * What InfluxDB holds of one run, in the run's own unit (lines), to compare with its figures.
 */
import type { InfluxClient } from '#shared/influx/client';

/** Lines stored at `timeMs` (each line is its own series at that time), the run's own point aside. */
export async function pointsAt(client: InfluxClient, timeMs: number): Promise<number> {
  const [res] = await client.query(`SELECT count(*) FROM /.*/ WHERE time = ${timeMs}ms`);
  return (res?.series ?? [])
    .filter((s) => s.name !== 'heapless_run')
    .reduce((sum, s) => sum + Math.max(...((s.values[0] ?? []).slice(1) as number[])), 0);
}
