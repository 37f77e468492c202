/**
 * The logger's own keys (time, level, fn, event) cannot be shadowed by an event's fields: a filter
 * on `level=error` sees every error, and the field's value is still in the line.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, type Fields, OWN_KEYS } from '#shared/log';

function capture(): { lines: Array<Record<string, unknown>>; log: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ fn: 'rollup', level: 'debug', sink: (l) => lines.push(JSON.parse(l)) });
  return { lines, log };
}

describe('log lines', () => {
  it('start with time, level, fn and event, then the event’s fields', () => {
    const { lines, log } = capture();
    log.info('rollup_run', { points: 3, error: new Error('boom') });
    expect(Object.keys(lines[0] ?? {})).toEqual(['time', 'level', 'fn', 'event', 'points', 'error']);
    expect(lines[0]).toMatchObject({ level: 'info', fn: 'rollup', event: 'rollup_run', points: 3, error: 'boom' });
  });

  it('keep their own keys whatever the fields say, and keep the fields under field_<key>', () => {
    const { lines, log } = capture();
    // A spread of a record that happens to hold the own keys (the rollup once logged its level's name as `level`).
    const fields: Record<string, unknown> = { level: '5m', time: 0, fn: 'x', event: 'y', measurement: 'm' };
    log.error('rollup_statement_failed', fields as Fields);
    expect(lines[0]).toMatchObject({
      level: 'error',
      fn: 'rollup',
      event: 'rollup_statement_failed',
      field_level: '5m',
      field_time: 0,
      field_fn: 'x',
      field_event: 'y',
      measurement: 'm',
    });
    expect(typeof lines[0]?.['time']).toBe('string');
  });

  it('lose nothing when a field is already named field_<key>', () => {
    const { lines, log } = capture();
    const both: Record<string, unknown> = { level: 'a', field_level: 'b' };
    log.warn('e', both as Fields);
    expect(lines[0]).toMatchObject({ level: 'warn', field_level: 'a', field_field_level: 'b' });
  });

  it('refuse an own key as a literal field at compile time', () => {
    const { lines, log } = capture();
    // @ts-expect-error: `level` is the logger's own key
    log.error('e', { level: '5m' });
    expect(lines[0]?.['level']).toBe('error');
    expect(OWN_KEYS).toEqual(['time', 'level', 'fn', 'event']);
  });
});
