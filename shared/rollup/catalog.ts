/**
 * @module rollup/catalog
 * What there is to roll up: the retention policies (the raw one is the database's default; each
 * level's own is created, or its duration corrected, and no other is ever changed), and the
 * metric measurements with their fields and tag keys, read from InfluxDB at each run.
 */
import type { InfluxClient, QueryResult } from '#shared/influx/client';
import { ident } from '#shared/influx/influxql';
import { isMetricMeasurement, metricOf, rollupField } from '#shared/families/rollup';
import type { Schema } from '#shared/encode/line-protocol';
import type { Level } from '#shared/rollup/levels';
import type { MeasurementPlan } from '#shared/rollup/statements';
import { redoReachMs } from '#shared/rollup/late';

/** A plan with, per field, whether its stored values are integers (for writing rows back). */
export interface Plan extends MeasurementPlan {
  intFields: ReadonlySet<string>;
  /** How far back its points can be stamped when written (OOM kills); 0 for most (rollup/late). */
  redoMs: number;
}

/**
 * Creates the levels' retention policies where missing and corrects their durations; returns the
 * database's default policy, which holds the raw points. `create`: INFLUX_CREATE_DB.
 */
export async function preparePolicies(
  client: InfluxClient,
  levels: readonly Level[],
  create: boolean,
): Promise<string> {
  const db = ident(client.options.db);
  if (create) await client.query(`CREATE DATABASE ${db}`, { db: null });
  const [res] = await client.query(`SHOW RETENTION POLICIES ON ${db}`, { db: null });
  const rows = res?.series?.[0]?.values ?? [];
  const raw = rows.find((r) => r[4] === true)?.[0];
  if (typeof raw !== 'string')
    throw new Error(`database ${client.options.db} has no default retention policy to read raw points from`);
  for (const level of levels) {
    if (level.rp === raw)
      throw new Error(`level ${level.name}'s policy ${level.rp} is the raw default policy; rename one`);
    const row = rows.find((r) => r[0] === level.rp);
    const duration = level.retention === 'INF' ? 'INF' : level.retention;
    if (!row && create)
      await client.query(`CREATE RETENTION POLICY ${ident(level.rp)} ON ${db} DURATION ${duration} REPLICATION 1`, {
        db: null,
      });
    else if (!row)
      throw new Error(
        `retention policy ${level.rp} is missing and INFLUX_CREATE_DB is false: create it (or a bucket mapped to it)`,
      );
    else if (create && String(row[1]) !== shownDuration(level.retention))
      await client.query(`ALTER RETENTION POLICY ${ident(level.rp)} ON ${db} DURATION ${duration}`, { db: null });
  }
  return raw;
}

/** InfluxDB shows `720h0m0s` for `30d` and `0s` for INF. */
function shownDuration(retention: string): string {
  if (retention === 'INF') return '0s';
  const m = /^(\d+)([hdw])$/.exec(retention);
  const hours = Number(m?.[1]) * ({ h: 1, d: 24, w: 168 }[m?.[2] as 'h' | 'd' | 'w'] ?? 1);
  return `${hours}h0m0s`;
}

function byMeasurement(result: QueryResult | undefined): Map<string, unknown[][]> {
  return new Map((result?.series ?? []).map((s) => [s.name ?? '', s.values]));
}

/** The metric measurements of the raw policy, their fields and rules, and their tag keys. */
export async function readPlans(client: InfluxClient, rawRp: string, schema: Schema): Promise<Plan[]> {
  const [fieldKeys, tagKeys] = await client.query(`SHOW FIELD KEYS FROM ${ident(rawRp)}./.*/; SHOW TAG KEYS`);
  const tags = byMeasurement(tagKeys);
  const plans: Plan[] = [];
  for (const [measurement, rows] of byMeasurement(fieldKeys)) {
    if (!isMetricMeasurement(measurement, schema)) continue;
    const fields = rows
      .map((r) => ({ name: String(r[0]), type: String(r[1]) }))
      .filter((f) => f.type === 'integer' || f.type === 'float')
      .filter((f) => schema === 'withfields' || f.name === 'value');
    if (fields.length === 0) continue;
    plans.push({
      measurement,
      fields: fields.map((f) => rollupField(metricOf(measurement, f.name, schema), f.name)),
      intFields: new Set(fields.filter((f) => f.type === 'integer').map((f) => f.name)),
      redoMs: redoReachMs(fields.map((f) => metricOf(measurement, f.name, schema))),
      tagKeys: (tags.get(measurement) ?? []).map((r) => String(r[0])),
    });
  }
  return plans;
}
