/**
 * Right-sizing's routes behind the model API's guard (MODEL_AUTH=delegated, reviews by the
 * simulated API server): a user who may list pods in one namespace gets that namespace's
 * recommendations, the cluster-wide list narrowed to it, and a 403 for another namespace; a user
 * who may list pods nowhere gets a 403 for the cluster-wide list too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, queryFixture, type QueryFixture } from '#test/helpers/query-fixture';

const BOB = 'bob-token-0123456789abcdef';
const EVE = 'eve-token-0123456789abcdef';
const ANN = 'ann-token-0123456789abcdef';
const bearer = { authorization: `Bearer ${BOB}` };
const M = '/api/v1/model';

let f: QueryFixture;
beforeAll(async () => {
  f = await queryFixture('recommend_auth', { sim: { nodes: 2, podsPerNode: 4 }, auth: true });
  const sim = f.collected.sim;
  sim.auth.tokens.set(BOB, { username: 'bob', groups: ['system:authenticated'] });
  sim.auth.grants.push({ subject: 'bob', verbs: ['get', 'list'], resources: ['pods'], namespace: 'ns-0' });
  sim.auth.tokens.set(EVE, { username: 'eve', groups: ['system:authenticated'] });
  // Ann may list pods in every namespace: the whole list, to compare with.
  sim.auth.tokens.set(ANN, { username: 'ann', groups: ['system:authenticated'] });
  sim.auth.grants.push({ subject: 'ann', verbs: ['list'], resources: ['pods'] });
});
afterAll(() => f?.stop());

describe('right-sizing for a namespace-scoped user', () => {
  it('answers their namespace, and only it', async () => {
    const res = await answer(f.app, `${M}/recommendations?namespace=ns-0`, bearer);
    expect(res.status).toBe(200);
    expect(res.json.workloads.length).toBeGreaterThan(0);
    for (const w of res.json.workloads) expect(w.namespace).toBe('ns-0');
    const one = await answer(f.app, `${M}/namespaces/ns-0/workloads/Deployment/web/recommendation`, bearer);
    expect(one.status).toBe(200);
  });

  it('narrows the cluster-wide list to their namespaces, in JSON and in text', async () => {
    const admin = await answer(f.app, `${M}/recommendations`, { authorization: `Bearer ${ANN}` });
    expect(admin.status).toBe(200);
    const namespaces = new Set(admin.json.workloads.map((w: { namespace: string }) => w.namespace));
    expect(namespaces.size).toBeGreaterThan(1);
    const all = await answer(f.app, `${M}/recommendations`, bearer);
    expect(all.status).toBe(200);
    const own = admin.json.workloads.filter((w: { namespace: string }) => w.namespace === 'ns-0');
    expect(own.length).toBeGreaterThan(0);
    expect(all.json.workloads).toEqual(own);
    const text = await f.app.request(`${M}/recommendations?format=text`, { headers: bearer });
    expect(text.status).toBe(200);
    const body = await text.text();
    expect(body).toContain('ns-0');
    expect(body).not.toContain('ns-1');
  });

  it('refuses the cluster-wide list to a user who may list pods in no namespace', async () => {
    const all = await answer(f.app, `${M}/recommendations`, { authorization: `Bearer ${EVE}` });
    expect(all.status).toBe(403);
    expect(all.json.error).toContain('at the cluster scope');
  });

  it('refuses other namespaces (403, kube-apiserver’s message)', async () => {
    for (const path of [
      `${M}/recommendations?namespace=ns-1`,
      `${M}/recommendations?namespace=ns-1&format=text`,
      `${M}/namespaces/ns-1/workloads/StatefulSet/db/recommendation`,
    ]) {
      const res = await answer(f.app, path, bearer);
      expect(res.status, path).toBe(403);
      expect(res.json.error, path).toContain('in the namespace "ns-1"');
    }
  });

  it('refuses a request without credentials (401)', async () => {
    expect((await answer(f.app, `${M}/recommendations?namespace=ns-0`)).status).toBe(401);
  });
});
