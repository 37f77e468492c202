import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricReference, REFERENCE_BEGIN, REFERENCE_END } from '#shared/families/reference';
import { PROJECT_DIR } from '#test/helpers/paths';

const README = `${PROJECT_DIR}/README.md`;

describe('README', () => {
  it('holds the metric reference exactly as the families table renders it', () => {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf(REFERENCE_BEGIN);
    const end = text.indexOf(REFERENCE_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const current = text.slice(start, end + REFERENCE_END.length);
    if (process.env['UPDATE_README'] === '1') writeFileSync(README, text.replace(current, metricReference()));
    else expect(current).toBe(metricReference());
  });

  it('keeps the two-command quick start', () => {
    const text = readFileSync(README, 'utf8');
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm test');
  });
});
