/**
 * @module deploy/grafana/operations
 * Two dashboards about the cluster's operation rather than its resources: Kubernetes events
 * (the events exporter's measurement, as Heapster's withfields "Events" dashboard showed them) and
 * heapless itself (each run's `heapless_run` point).
 */
import { CLUSTER, equals, matches } from './influxql';
import { clusterVariable, DashboardBuilder, datasourceVariable, tagVariable, type Json, type Target } from './panels';

export function eventsDashboard(): Json {
  const filters = [
    CLUSTER,
    matches('namespace_name', 'namespace'),
    matches('kind', 'kind'),
    matches('type', 'severity'),
    matches('reason', 'reason'),
  ];
  const where = `${filters.join(' AND ')} AND $timeFilter`;
  const ev = { measurement: 'events', all: true, multi: true };
  const d = new DashboardBuilder(
    {
      uid: 'heapless-events',
      title: 'Kubernetes / Events (heapless)',
      description:
        'Kubernetes events as the events function exported them (measurement "events", Heapster eventer’s withfields schema).',
    },
    [
      datasourceVariable(),
      clusterVariable(),
      tagVariable('namespace', 'namespace', 'namespace_name', [CLUSTER], ev),
      tagVariable('kind', 'kind', 'kind', [CLUSTER, matches('namespace_name', 'namespace')], ev),
      tagVariable(
        'severity',
        'severity',
        'type',
        [CLUSTER, matches('namespace_name', 'namespace'), matches('kind', 'kind')],
        ev,
      ),
      tagVariable(
        'reason',
        'reason',
        'reason',
        [CLUSTER, matches('namespace_name', 'namespace'), matches('kind', 'kind'), matches('type', 'severity')],
        ev,
      ),
    ],
  );
  d.row('Events')
    .timeseries(
      {
        title: 'Events by severity',
        unit: 'short',
        stack: true,
        description:
          'Events per bucket ($__interval); an event updated later (count > 1) appears again at its last time.',
      },
      [
        {
          query: `SELECT count("message") AS "value" FROM "events" WHERE ${where} GROUP BY time($__interval), "type" fill(null)`,
          alias: '$tag_type',
        },
      ],
    )
    .timeseries({ title: 'Events by reason', unit: 'short', stack: true }, [
      {
        query: `SELECT count("message") AS "value" FROM "events" WHERE ${where} GROUP BY time($__interval), "reason" fill(null)`,
        alias: '$tag_reason',
      },
    ])
    .rawTable({ title: 'Events' }, [
      {
        query: `SELECT "namespace_name" AS "Namespace", "kind" AS "Kind", "object_name" AS "Object", "type" AS "Severity", "reason" AS "Reason", "message" AS "Message", "count" AS "Count", "component" AS "Source", "hostname" AS "Node" FROM "events" WHERE ${where} ORDER BY time DESC LIMIT 1000`,
      },
    ]);
  return d.build();
}

function run(fn: string, field: string, agg: 'sum' | 'max', alias: string): Target {
  // One point per run and shard: the shards' values per bucket are added (sum of each shard's
  // mean) or the largest is shown (max), so the figure does not grow with the zoom.
  return {
    query: `SELECT ${agg}("v") AS "value" FROM (SELECT mean("${field}") AS "v" FROM "heapless_run" WHERE ${equals('fn', fn)} AND ${CLUSTER} AND $timeFilter GROUP BY time($__interval), * fill(none)) WHERE $timeFilter GROUP BY time($__interval) fill(null)`,
    alias,
  };
}

export function selfDashboard(): Json {
  const d = new DashboardBuilder(
    {
      uid: 'heapless-self',
      title: 'heapless',
      description: 'The functions’ own figures: one heapless_run point per run (per shard when sharded).',
    },
    [datasourceVariable(), clusterVariable()],
  );
  d.row('collect')
    .timeseries(
      {
        title: 'Run duration',
        unit: 'ms',
        description: 'The slowest shard of each run; must stay well below the interval.',
      },
      [run('collect', 'duration_ms', 'max', 'duration')],
    )
    .timeseries(
      {
        title: 'Nodes',
        unit: 'short',
        description:
          'cut: never scraped before the deadline or SIGTERM (the run fails); list failed: 1 when the pod or node list broke.',
      },
      [
        run('collect', 'nodes', 'sum', 'nodes'),
        run('collect', 'nodes_ok', 'sum', 'scraped'),
        run('collect', 'nodes_failed', 'sum', 'failed'),
        run('collect', 'nodes_cut', 'sum', 'cut'),
        run('collect', 'list_failed', 'sum', 'list failed'),
      ],
    )
    .timeseries({ title: 'Points written per run', unit: 'short' }, [
      run('collect', 'points', 'sum', 'points'),
      run('collect', 'failed_points', 'sum', 'failed'),
    ])
    .timeseries({ title: 'Bytes written per run', unit: 'bytes' }, [run('collect', 'bytes', 'sum', 'bytes')])
    .timeseries(
      {
        title: 'Spool (points)',
        unit: 'short',
        description:
          'overflow: sent to the spool because InfluxDB was slower than scraping; backlog: left for the next run; dropped: lost to the spool’s cap (the run fails).',
      },
      [
        run('collect', 'overflow_points', 'sum', 'overflow'),
        run('collect', 'spooled_points', 'sum', 'spooled at the deadline'),
        run('collect', 'replayed_points', 'sum', 'replayed'),
        run('collect', 'spool_backlog_points', 'sum', 'backlog'),
        run('collect', 'spool_dropped_points', 'sum', 'dropped'),
      ],
    );
  d.row('events')
    .timeseries({ title: 'Run duration', unit: 'ms' }, [run('events', 'duration_ms', 'max', 'duration')])
    .timeseries({ title: 'Events per run', unit: 'short' }, [
      run('events', 'events_listed', 'sum', 'listed'),
      run('events', 'events_new', 'sum', 'written'),
      run('events', 'failed_points', 'sum', 'failed'),
    ]);
  return d.build();
}
