/**
 * @module families/reference
 * The README's metric reference, rendered from the families table (a test keeps the two equal).
 */
import { FAMILIES } from '#shared/families/catalogue';
import { DYNAMIC_FAMILIES } from '#shared/families/dynamic';
import type { Family } from '#shared/families/family';
import type { ObjectType } from '#shared/model';
import { RIGHTSIZING_SAMPLES } from '#shared/families/rightsizing-samples';

const TAGS: Record<ObjectType, string> = {
  node: 'nodename, labels (node labels)',
  pod: 'nodename, namespace_name, pod_name, labels (pod labels), workload_kind, workload_name',
  pod_container:
    'nodename, namespace_name, pod_name, labels, workload_kind, workload_name, container_name, container_base_image',
  sys_container: 'nodename, container_name',
  ns: 'namespace_name',
  workload: 'namespace_name, workload_kind, workload_name',
  cluster: '—',
};

export const REFERENCE_BEGIN =
  '<!-- metric-reference:begin (generated from shared/families; `UPDATE_README=1 npx vitest run test/readme.test.ts` rewrites it) -->';
export const REFERENCE_END = '<!-- metric-reference:end -->';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function row(f: Family): string {
  const types = Object.keys(f.types).join(', ');
  const how = Object.entries(f.types)
    .map(([t, d]) => `**${t}**: ${d}`)
    .join('<br>');
  const labels = f.labels?.length ? f.labels.join(', ') : '';
  const field = f.int ? 'integer' : 'float';
  return `| \`${f.name}\` | ${f.kind} | ${field} | ${cell(f.unit)} | ${types} | ${cell(labels)} | ${cell(how)} |`;
}

export function metricReference(): string {
  const lines = [
    REFERENCE_BEGIN,
    '',
    'Every point also has the tags `type` and, when `CLUSTER_NAME` is set, `cluster_name`. Tags per type:',
    '',
    '| type | tags |',
    '| --- | --- |',
    ...Object.entries(TAGS).map(([t, tags]) => `| ${t} | ${tags} |`),
    '',
    '| metric | kind | field | unit | types | extra tags | definition per type |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...[...FAMILIES, ...DYNAMIC_FAMILIES].map(row),
    '',
    'Recorded by the collector for the query service (no `type` tag; not rolled up):',
    '',
    '| measurement | field | unit | tags | definition |',
    '| --- | --- | --- | --- | --- |',
    ...[RIGHTSIZING_SAMPLES].map(
      (r) => `| \`${r.name}\` | ${cell(r.field)} | ${cell(r.unit)} | ${cell(r.tags)} | ${cell(r.definition)} |`,
    ),
    '',
    REFERENCE_END,
  ];
  return lines.join('\n');
}
