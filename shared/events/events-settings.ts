/**
 * @module events/events-settings
 * Every setting of the events function (env var or flag; `--help` lists them).
 */
import { influxSettings, kubeSettings, logSettings, runSettings } from '#shared/config/common';
import { duration, int, oneOf, optional } from '#shared/config/parsers';
import { readSettings, setting, type SettingsOf } from '#shared/config/settings';

export const EVENTS_APIS = ['core', 'events.k8s.io'] as const;
export type EventsApi = (typeof EVENTS_APIS)[number];

export const EVENTS_SCHEMAS = ['withfields', 'heapster'] as const;
export type EventsSchema = (typeof EVENTS_SCHEMAS)[number];

export const eventsSettings = {
  ...influxSettings,
  ...kubeSettings,
  ...logSettings,
  ...runSettings,
  eventsApi: setting({
    env: 'EVENTS_API',
    help: 'core (/api/v1/events) or events.k8s.io (/apis/events.k8s.io/v1/events); both give the same points',
    default: 'core',
    parse: oneOf(EVENTS_APIS),
  }),
  eventsSchema: setting({
    env: 'EVENTS_SCHEMA',
    help:
      'withfields (measurement events, field message: what Heapster’s events dashboard reads) or heapster ' +
      '(measurement log/events, field value = the event as JSON)',
    default: 'withfields',
    parse: oneOf(EVENTS_SCHEMAS),
  }),
  eventsStateWindow: setting({
    env: 'EVENTS_STATE_WINDOW',
    help:
      'how long an exported event version is remembered; keep it above the API server’s --event-ttl (1h by ' +
      'default), else events it still holds are written again (overwriting themselves)',
    default: '70m',
    parse: duration(60_000, 30 * 86_400_000),
  }),
  influxBatchSize: setting({
    env: 'INFLUX_BATCH_SIZE',
    help: 'lines per write request',
    default: '5000',
    parse: int(1, 100_000),
  }),
  runDeadline: setting({
    env: 'RUN_DEADLINE',
    help: 'a run gives up retrying writes after this long (default: INTERVAL − 5s)',
    default: '',
    parse: optional(duration(1_000)),
  }),
};

export type EventsConfig = SettingsOf<typeof eventsSettings>;

export function readEventsConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): EventsConfig {
  return readSettings(eventsSettings, env, argv);
}
