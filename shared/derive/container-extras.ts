/**
 * @module derive/container-extras
 * Accelerator and user-defined (custom) metrics of a container.
 */
import type { ContainerStats } from '#shared/model';
import type { SampleSink } from '#shared/derive/samples';
import { customFamily } from '#shared/families/dynamic';
import { push } from '#shared/derive/object';

export function containerExtras(c: ContainerStats, out: SampleSink): void {
  for (const a of c.accelerators) {
    const tags = { make: a.make, model: a.model, accelerator_id: a.id };
    push(out, 'pod_container', 'accelerator/memory_total', a.memoryTotalBytes, tags);
    push(out, 'pod_container', 'accelerator/memory_used', a.memoryUsedBytes, tags);
    push(out, 'pod_container', 'accelerator/duty_cycle', a.dutyCyclePercent, tags);
  }
  for (const m of c.custom) push(out, 'pod_container', customFamily(m.name, m.kind), m.value);
}
