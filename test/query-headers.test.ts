/**
 * Response headers: API answers hold what a token allowed, so every one (model API, the page's
 * JSON, the scraper API, metrics.k8s.io; errors and refusals too) is `Cache-Control: no-store`
 * and `X-Content-Type-Options: nosniff`; the page also refuses frames the old way
 * (`X-Frame-Options: DENY`) beside CSP's `frame-ancestors 'none'`. Through the real guard
 * (MODEL_AUTH=delegated against the simulated API server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFixture, type QueryFixture } from '#test/helpers/query-fixture';

let f: QueryFixture;
let admin: Record<string, string>;
beforeAll(async () => {
  f = await queryFixture('q_headers', { sim: { nodes: 1, podsPerNode: 1 }, auth: true });
  admin = { authorization: `Bearer ${f.collected.sim.token}` };
});
afterAll(() => f?.stop());

async function headersOf(path: string, headers: Record<string, string>): Promise<[number, Headers]> {
  const res = await f.app.request(path, { headers });
  await res.arrayBuffer();
  return [res.status, res.headers];
}

describe('API answers are private', () => {
  it.each([
    ['/api/v1/model/namespaces', 200],
    ['/api/v1/model/nodes/node-0/metrics/cpu/usage_rate', 200],
    ['/api/v1/model/namespaces/ns-0/workloads', 200],
    ['/api/v1/model/nodes/node-0/metrics/cpu/usage_rate?start=yesterday', 400],
    ['/api/v1/ui/events', 200],
    ['/api/v1/ui/namespaces/ns-0/events', 200],
    ['/api/v1/dashboard/nodes/node-0/metrics/cpu/usage_rate', 200],
    ['/apis/metrics.k8s.io/v1beta1/nodes', 200],
    ['/api/v1/nothing-here', 404],
  ] as const)('%s (%d): no-store, nosniff', async (path, status) => {
    const [got, h] = await headersOf(path, admin);
    expect(got).toBe(status);
    // Before the fix: no cache-control and no x-content-type-options on any of them.
    expect(h.get('cache-control')).toBe('no-store');
    expect(h.get('x-content-type-options')).toBe('nosniff');
  });

  it('a refusal without credentials is private too', async () => {
    const [status, h] = await headersOf('/api/v1/model/namespaces', {});
    expect(status).toBe(401);
    expect(h.get('cache-control')).toBe('no-store');
    expect(h.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the page', () => {
  it.each(['/', '/ui'])('%s: X-Frame-Options DENY beside frame-ancestors none', async (path) => {
    const [status, h] = await headersOf(path, {});
    expect(status).toBe(200);
    // Before the fix: no x-frame-options.
    expect(h.get('x-frame-options')).toBe('DENY');
    expect(h.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(h.get('x-content-type-options')).toBe('nosniff');
  });
});
