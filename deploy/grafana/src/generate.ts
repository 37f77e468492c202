// Writes deploy/grafana/dashboards/*.json from ./index (run: npx tsx deploy/grafana/src/generate.ts).
import { writeFileSync } from 'node:fs';
import { buildDashboards, dashboardFile } from './index';

const dir = new URL('../dashboards/', import.meta.url);
for (const [name, dashboard] of Object.entries(buildDashboards()))
  writeFileSync(new URL(name, dir), dashboardFile(dashboard));
console.log(JSON.stringify({ event: 'dashboards_written', files: Object.keys(buildDashboards()) }));
