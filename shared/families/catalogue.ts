/**
 * @module families/catalogue
 * Every metric family heapless writes, with Heapster's names, units and field types.
 * `types` says, per object type, how the value is obtained — this text is the README's definition.
 */
import { family } from '#shared/families/family';

const OWN = 'the kubelet summary’s own value for the object';

export const FAMILIES = [
  family({
    name: 'uptime', kind: 'cumulative', int: true, unit: 'ms',
    types: { node: 'collection time − node startTime', pod: 'collection time − pod startTime', pod_container: 'collection time − container startTime', sys_container: 'collection time − container startTime' },
  }),
  family({
    name: 'cpu/usage', kind: 'cumulative', int: true, unit: 'ns (CPU time, all cores)',
    types: { node: `usageCoreNanoSeconds, ${OWN}`, pod: `usageCoreNanoSeconds, ${OWN}`, pod_container: `usageCoreNanoSeconds, ${OWN}`, sys_container: `usageCoreNanoSeconds, ${OWN}` },
  }),
  family({
    name: 'cpu/usage_rate', kind: 'gauge', int: false, unit: 'millicores',
    types: {
      node: 'usageNanoCores ÷ 1e6 (else Δcpu/usage ÷ Δt from the previous run)',
      pod: 'usageNanoCores ÷ 1e6 (else Δcpu/usage ÷ Δt; else the sum of its containers)',
      pod_container: 'usageNanoCores ÷ 1e6 (else Δcpu/usage ÷ Δt from the previous run)',
      sys_container: 'usageNanoCores ÷ 1e6 (else Δcpu/usage ÷ Δt from the previous run)',
    },
  }),
  family({
    name: 'memory/usage', kind: 'gauge', int: true, unit: 'bytes',
    types: { node: `usageBytes, ${OWN}`, pod: `usageBytes, ${OWN} (else the sum of its containers)`, pod_container: `usageBytes, ${OWN}`, sys_container: `usageBytes, ${OWN}` },
  }),
  family({
    name: 'memory/working_set', kind: 'gauge', int: true, unit: 'bytes',
    types: { node: `workingSetBytes, ${OWN}`, pod: `workingSetBytes, ${OWN} (else the sum of its containers)`, pod_container: `workingSetBytes, ${OWN}`, sys_container: `workingSetBytes, ${OWN}` },
  }),
  family({
    name: 'memory/rss', kind: 'gauge', int: true, unit: 'bytes',
    types: { node: `rssBytes, ${OWN}`, pod: `rssBytes, ${OWN} (else the sum of its containers)`, pod_container: `rssBytes, ${OWN}`, sys_container: `rssBytes, ${OWN}` },
  }),
] as const;

export type FamilyName = (typeof FAMILIES)[number]['name'];

export const FAMILY_BY_NAME: ReadonlyMap<string, (typeof FAMILIES)[number]> = new Map(FAMILIES.map((f) => [f.name, f]));
