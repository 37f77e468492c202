/**
 * @module rollup/settings
 * Every setting of the rollup function (env var or flag; `--help` lists them).
 */
import { influxSettings, logSettings } from '#shared/config/common';
import { csvOf, duration, int, oneOf } from '#shared/config/parsers';
import { readSettings, setting, type SettingsOf } from '#shared/config/settings';
import { type Level, parseLevels } from '#shared/rollup/levels';
import { OBJECT_TYPES } from '#shared/rollup/statements';

export const rollupSettings = {
  ...influxSettings,
  ...logSettings,
  rollupLevels: setting({
    env: 'ROLLUP_LEVELS',
    help:
      'window:retention per level, finest first, each window a multiple of the one before; each level gets a ' +
      'retention policy heapless_<window> (0 = forever)',
    default: '5m:30d,1h:400d',
    parse: (raw: string): Level[] => parseLevels(raw),
  }),
  rollupMode: setting({
    env: 'ROLLUP_MODE',
    help:
      'into (InfluxQL SELECT … INTO, computed inside InfluxDB 1.x) or copy (query the aggregates and write them ' +
      'back: for InfluxDB 2.x/3.x, whose v1 API has no INTO)',
    default: 'into',
    parse: oneOf(['into', 'copy'] as const),
  }),
  influxSchema: setting({
    env: 'INFLUX_SCHEMA',
    help: 'the schema the collector writes: heapster (measurement per metric, field value) or withfields (measurement per prefix, field per metric)',
    default: 'heapster',
    parse: oneOf(['heapster', 'withfields'] as const),
  }),
  rollupTypes: setting({
    env: 'ROLLUP_TYPES',
    help:
      'object types (the type tag) rolled up; a run costs InfluxDB about the same per series, and at 30 pods a ' +
      'node pods and containers are ~95% of them: node,ns,workload,cluster,sys_container keeps the ' +
      'capacity-planning history for ~1/20 of the cost',
    default: OBJECT_TYPES.join(','),
    parse: csvOf(OBJECT_TYPES),
  }),
  rollupDelay: setting({
    env: 'ROLLUP_DELAY',
    help: 'a window is rolled up this long after it ends, so the collector’s last run in it has been written',
    default: '2m',
    parse: duration(0, 86_400_000),
  }),
  rollupMaxWindows: setting({
    env: 'ROLLUP_MAX_WINDOWS',
    help: 'windows of each level one run rolls up at most (catching up after missed runs in bounded steps)',
    default: '12',
    parse: int(1, 10_000),
  }),
  rollupBackfill: setting({
    env: 'ROLLUP_BACKFILL',
    help: 'where a level that never ran starts: this long before now (raw points older than the raw retention are gone anyway)',
    default: '1h',
    parse: duration(0, 400 * 86_400_000),
  }),
  rollupLateLookback: setting({
    env: 'ROLLUP_LATE_LOOKBACK',
    help:
      'how far back points that arrive late (the collector’s spool replayed after an outage) are still rolled ' +
      'up: the windows that got them are redone; the raw retention is the most that helps (0s: never)',
    default: '7d',
    parse: duration(0, 400 * 86_400_000),
  }),
  runDeadline: setting({
    env: 'RUN_DEADLINE',
    help: 'a run starts no new statement after this long; what it did not finish the next run does',
    default: '4m',
    parse: duration(1_000, 86_400_000),
  }),
};

export type RollupConfig = SettingsOf<typeof rollupSettings>;

export function readRollupConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): RollupConfig {
  return readSettings(rollupSettings, env, argv);
}
