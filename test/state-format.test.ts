/**
 * @module state-format.test
 * The per-node counter state through a real influxd: the packed bytes this collector writes
 * (`pack=2`) and the packed JSON an older collector wrote are both read back exactly, so the first
 * run after an upgrade keeps its rates; a row that is corrupt or of an unknown version reads as
 * no state (no rates for that node, never wrong ones).
 */
import { describe, expect, it } from 'vitest';
import { freshDatabase, writeLines } from '#test/helpers/influx';
import { anyDayStartMs } from '#test/helpers/any-day';
import type { NodeState } from '#shared/derive/types';
import { decodeState, encodeState, readStates, STATE_MEASUREMENT } from '#shared/influx/state-store';
import { packFields } from '#shared/influx/packed-fields';

const T0 = anyDayStartMs();

/** Every shape a state holds: no start time, doubles, integers past 2^53, long and non-ASCII keys. */
function state(seed: number): NodeState {
  const s: NodeState = {
    n: { s: T0 - 86_400_000, c: { cpu: [T0 - 1234, 9_007_199_254_740_994 + seed * 2], pf: [T0 - 1000, 12.5] } },
    's:kubelet': { c: { cpu: [T0 - 7, 0] } },
    [`c:ns-${seed}/${'p'.repeat(200)}/ctr`]: { s: T0 - 5, c: { rx: [T0, 1e21], ips: [T0 + 0.25, 3] } },
    'p:nämespace/pöd-ü': { s: T0 - 60_000, c: {} },
  };
  for (let i = 0; i < 40; i++)
    s[`c:ns/pod-${i}/app`] = { s: T0 - i, c: { cpu: [T0 - i, i * 1e9 + seed], tx: [T0, i] } };
  return s;
}

/** The line an older collector wrote: the state as packed JSON, no `pack` field. */
function oldLine(node: string, s: NodeState, timeMs: number): string {
  return `${STATE_MEASUREMENT},bucket=0,nodename=${node} ${packFields(s)} ${timeMs}`;
}

describe('the per-node counter state', () => {
  it('reads back exactly what it wrote, and what an older collector wrote as JSON', async () => {
    const client = await freshDatabase('state_format');
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    await writeLines(client, [encodeState('new-node', 0, state(1), T0), oldLine('old-node', state(2), T0)]);
    const read = await readStates(client, T0 - 3_600_000, T0 + 1);
    expect(read.get('new-node')?.['pack']).toBe(2);
    expect(read.get('old-node')?.['pack'] ?? undefined).toBeUndefined();
    expect(decodeState(read.get('new-node') ?? {})).toEqual(state(1));
    expect(decodeState(read.get('old-node') ?? {})).toEqual(state(2));
  });

  it('reads a corrupt row, or one of a version it does not know, as no state', async () => {
    const good = encodeState('n', 0, state(3), T0);
    const fields = Object.fromEntries(
      [...good.split(' ')[1]!.matchAll(/([a-z0-9]+)=(?:"([^"]*)"|(\d+)i)/g)].map((m) => [m[1], m[2] ?? Number(m[3])]),
    );
    expect(decodeState(fields)).toEqual(state(3));
    const s0 = fields['s0'] as string;
    expect(decodeState({ ...fields, s0: s0.slice(0, s0.length / 2) })).toBeUndefined();
    expect(decodeState({ ...fields, pack: 3 })).toBeUndefined();
    expect(decodeState({ ...fields, s0: 'bm90IGRlZmxhdGU=' })).toBeUndefined();
    expect(decodeState({ pack: 2, n: 1 })).toBeUndefined();
  });
});
