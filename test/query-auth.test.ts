/**
 * @module query-auth.test
 * Who may call the query service (issue 8). Over a real HTTPS port that asks for client
 * certificates: the aggregation layer's front-proxy certificate and headers, bearer tokens
 * checked by TokenReview, SubjectAccessReviews, the static token of the model and scraper APIs,
 * and what is refused — with the simulated API server answering the reviews.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFixture, answer, type QueryFixture } from '#test/helpers/query-fixture';
import { createCa, issueCert, type CertKeyPair } from '#shared/tls/certificates';
import { closeAll, listen, setClientCa, type Listener } from '#shared/query/server';
import { servingCert } from '#shared/query/tls';
import { startAuth } from '#shared/query/auth/setup';
import { metricsApiAttributes, modelApiAttributes } from '#shared/query/auth/attributes';
import { querySettings, readQueryConfig } from '#shared/query/settings';
import { helpText } from '#shared/config/settings';
import { ConfigError } from '#shared/errors';
import { createLogger } from '#shared/log';
import { createApp } from '../functions/query/app';

const API = '/apis/metrics.k8s.io/v1beta1';
const STATIC = 'static-model-token-0123456789abcdef';
const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';

let f: QueryFixture;
let l: Listener;
let dir: string;
/** Every answer body, to check that no credential is ever echoed. */
const bodies: string[] = [];

interface Call {
  cert?: CertKeyPair;
  headers?: Record<string, string | string[]>;
}

/** One HTTPS request on a fresh connection (so each presents its own certificate). */
function call(path: string, c: Call = {}): Promise<{ status: number; json: any }> {
  const opts: RequestOptions = {
    rejectUnauthorized: false,
    agent: false,
    headers: c.headers ?? {},
    ...(c.cert ? { cert: c.cert.certPem, key: c.cert.keyPem } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = request(`https://127.0.0.1:${l.port}${path}`, opts, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        bodies.push(body);
        resolve({ status: res.statusCode ?? 0, json: parse(body) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function parse(body: string): any {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'heapless-query-auth-'));
  writeFileSync(join(dir, 'token'), `${STATIC}\n`);
  f = await queryFixture('q_auth', {
    sim: { nodes: 2, podsPerNode: 2 },
    auth: true,
    queryEnv: { QUERY_AUTH_TOKEN_FILE: join(dir, 'token') },
  });
  l = await listen(f.app, {
    port: 0,
    host: '127.0.0.1',
    tls: { ...servingCert({}), requestCert: true, clientCa: f.auth?.clientCa() },
  });
  const sim = f.collected.sim;
  sim.auth.tokens.set(ALICE, { username: 'alice', groups: ['readers', 'system:authenticated'] });
  sim.auth.tokens.set(BOB, { username: 'bob', groups: ['system:authenticated'] });
  sim.auth.grants.push(
    { subject: 'group:readers', verbs: ['get', 'list'], resources: ['nodes', 'pods'] },
    { subject: 'bob', verbs: ['get', 'list'], resources: ['pods'], namespace: 'ns-0' },
  );
});
afterAll(async () => {
  if (l) await closeAll([l], 1_000);
  await f?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the front proxy (kube-aggregator)', () => {
  it('a verified front-proxy certificate: the user, groups and extras of its headers are authorized by a SubjectAccessReview', async () => {
    const headers = {
      'x-remote-user': 'carol',
      'x-remote-group': ['readers', 'system:authenticated'],
      'x-remote-extra-scopes': 'a',
    };
    const res = await call(`${API}/nodes`, { cert: f.collected.sim.frontProxy.clientCert, headers });
    expect(res.status).toBe(200);
    expect(res.json.items).toHaveLength(2);
    expect(f.collected.sim.auth.lastReview).toMatchObject({
      user: 'carol',
      groups: ['readers', 'system:authenticated'],
      extra: { scopes: ['a'] },
      resourceAttributes: { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'nodes', verb: 'list' },
    });
  });

  it('refuses a certificate from another CA, even one named front-proxy-client, and ignores its headers (401)', async () => {
    const other = issueCert(createCa('not-the-front-proxy-ca'), { commonName: 'front-proxy-client', usage: 'client' });
    const res = await call(`${API}/nodes`, {
      cert: other,
      headers: { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' },
    });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('does not trust X-Remote-User / X-Remote-Group without a certificate (401, no review asked)', async () => {
    const before = f.collected.sim.auth.counts.subjectAccessReview;
    expect(
      (await call(`${API}/nodes`, { headers: { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' } }))
        .status,
    ).toBe(401);
    expect((await call(`${API}/nodes`)).status).toBe(401);
    expect((await answer(f.app, `${API}/pods`)).status).toBe(401);
    expect(f.collected.sim.auth.counts.subjectAccessReview).toBe(before);
  });

  it('refuses a certificate of the right CA whose name is not in requestheader-allowed-names, until the list allows any', async () => {
    const sim = f.collected.sim;
    const stranger = issueCert(sim.frontProxy.ca, { commonName: 'someone-else', usage: 'client' });
    const headers = { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' };
    expect((await call(`${API}/nodes`, { cert: stranger, headers })).status).toBe(401);
    sim.auth.allowedNames = [];
    await f.auth?.refresh();
    try {
      expect((await call(`${API}/nodes`, { cert: stranger, headers })).status).toBe(200);
    } finally {
      sim.auth.allowedNames = ['front-proxy-client'];
      await f.auth?.refresh();
    }
    expect((await call(`${API}/nodes`, { cert: stranger, headers })).status).toBe(401);
  });

  it('verifies against the CA bundle the HTTPS port was last given (a rotated front-proxy CA)', async () => {
    const headers = { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' };
    const proxy = f.collected.sim.frontProxy;
    setClientCa(l, createCa('some-earlier-ca').certPem);
    try {
      expect((await call(`${API}/nodes`, { cert: proxy.clientCert, headers })).status).toBe(401);
    } finally {
      setClientCa(l, proxy.ca.certPem);
    }
    expect((await call(`${API}/nodes`, { cert: proxy.clientCert, headers })).status).toBe(200);
  });

  it('a verified certificate without X-Remote-User names nobody (401)', async () => {
    expect((await call(`${API}/nodes`, { cert: f.collected.sim.frontProxy.clientCert })).status).toBe(401);
  });
});

describe('bearer tokens (TokenReview) and authorization (SubjectAccessReview)', () => {
  it('accepts a token the API server knows, and reviews it once while cached, even for concurrent requests', async () => {
    const auth = f.collected.sim.auth;
    const before = { tokens: auth.counts.tokenReview, access: auth.counts.subjectAccessReview };
    const burst = await Promise.all([1, 2, 3, 4].map(() => call(`${API}/pods`, { headers: bearer(ALICE) })));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const again = await answer(f.app, `${API}/nodes/node-0`, bearer(ALICE));
    expect(again.status).toBe(200);
    expect(auth.counts.tokenReview).toBe(before.tokens + 1);
    expect(auth.counts.subjectAccessReview).toBe(before.access + 2);
  });

  it('refuses a token the API server does not know (401)', async () => {
    const res = await call(`${API}/nodes`, { headers: bearer('no-such-token-0123456789') });
    expect(res).toMatchObject({ status: 401, json: { kind: 'Status', reason: 'Unauthorized' } });
  });

  it('answers 403 with kube-apiserver’s message when the review says no, per namespace', async () => {
    const nodes = await call(`${API}/nodes`, { headers: bearer(BOB) });
    expect(nodes.status).toBe(403);
    expect(nodes.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message:
        'nodes.metrics.k8s.io is forbidden: User "bob" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope',
      details: { group: 'metrics.k8s.io', kind: 'nodes' },
    });
    expect((await call(`${API}/namespaces/ns-0/pods`, { headers: bearer(BOB) })).status).toBe(200);
    const other = await call(`${API}/namespaces/ns-1/pods`, { headers: bearer(BOB) });
    expect(other.json.message).toBe(
      'pods.metrics.k8s.io is forbidden: User "bob" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "ns-1"',
    );
    expect((await call(`${API}/pods`, { headers: bearer(BOB) })).status).toBe(403);
  });

  it('answers 503 without details when the TokenReview or SubjectAccessReview cannot be made, and logs which', async () => {
    const auth = f.collected.sim.auth;
    auth.failures.tokenReview = 503;
    try {
      const res = await call(`${API}/nodes`, { headers: bearer('fresh-token-never-seen-0123456789') });
      expect(res).toMatchObject({ status: 503, json: { kind: 'Status', reason: 'ServiceUnavailable', code: 503 } });
      expect(JSON.stringify(res.json)).not.toMatch(/simulated|HTTP|127\.0\.0\.1/);
    } finally {
      delete auth.failures.tokenReview;
    }
    auth.failures.subjectAccessReview = 500;
    try {
      expect((await call(`${API}/namespaces/ns-0/pods/none`, { headers: bearer(ALICE) })).status).toBe(503);
    } finally {
      delete auth.failures.subjectAccessReview;
    }
    expect(f.logs.filter((x) => x['event'] === 'auth_unavailable').map((x) => [x['check'], x['error']])).toEqual([
      ['tokenreview', 'HTTP 503'],
      ['subjectaccessreview', 'HTTP 500'],
    ]);
    expect((await answer(f.app, '/metrics')).text).toContain(
      `heapless_query_errors_total{route="${API}/nodes",reason="auth_unavailable"} 1`,
    );
  });

  it('leaves /healthz, /livez, /readyz and /metrics open: the kubelet probes carry no credentials', async () => {
    for (const path of ['/healthz', '/livez', '/readyz', '/metrics']) expect((await call(path)).status, path).toBe(200);
  });
});

describe('the model and scraper APIs', () => {
  const MODEL = '/api/v1/model/nodes/node-0/metrics/cpu/usage_rate';
  const SCRAPER = '/api/v1/dashboard/namespaces/ns-0/pod-list/x/metrics/cpu/usage_rate';

  it('take the static token, a delegated token or nothing else', async () => {
    expect((await call(MODEL, { headers: bearer(STATIC) })).status).toBe(200);
    expect((await call(SCRAPER, { headers: bearer(STATIC) })).status).toBe(200);
    expect((await call(MODEL, { headers: bearer(ALICE) })).status).toBe(200);
    expect((await call(MODEL)).status).toBe(401);
    expect(await call(MODEL, { headers: bearer(`${STATIC}x`) })).toMatchObject({
      status: 401,
      json: { error: 'Unauthorized' },
    });
    // The static token is no Kubernetes credential: metrics.k8s.io sends it to a TokenReview, which refuses it.
    expect((await call(`${API}/nodes`, { headers: bearer(STATIC) })).status).toBe(401);
  });

  it('map their paths to the metrics.k8s.io resource they expose for the review', async () => {
    expect((await call(SCRAPER, { headers: bearer(BOB) })).status).toBe(200);
    expect((await call(MODEL, { headers: bearer(BOB) })).json).toEqual({
      error:
        'nodes.metrics.k8s.io "node-0" is forbidden: User "bob" cannot get resource "nodes" in API group "metrics.k8s.io" at the cluster scope',
    });
    expect(modelApiAttributes('/api/v1/model/namespaces/ns/pods/p/containers/c/metrics')).toEqual({
      resource: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        resource: 'pods',
        verb: 'get',
        namespace: 'ns',
        name: 'p',
      },
    });
    expect(modelApiAttributes('/api/v1/model/namespaces')).toMatchObject({
      resource: { resource: 'pods', verb: 'list', namespace: '' },
    });
    expect(modelApiAttributes('/api/v1/model/metrics/cpu/usage_rate')).toMatchObject({
      resource: { resource: 'pods', verb: 'list', namespace: '' },
    });
    expect(modelApiAttributes('/api/v1/dashboard/namespaces//pod-list/a,b/metrics/cpu/x')).toMatchObject({
      resource: { resource: 'pods', verb: 'list', namespace: 'default' },
    });
    expect(modelApiAttributes('/api/v1/dashboard/nodes/a,b/metrics/cpu/x')).toMatchObject({
      resource: { resource: 'nodes', verb: 'list' },
    });
    expect(metricsApiAttributes(`${API}/namespaces/ns/pods/p`)).toEqual({
      resource: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        resource: 'pods',
        verb: 'get',
        namespace: 'ns',
        name: 'p',
      },
    });
    expect(metricsApiAttributes(API)).toEqual({ nonResource: { path: API, verb: 'get' } });
  });

  it('MODEL_AUTH=token takes only the static token and needs no Kubernetes API; QUERY_AUTH=none is warned about', async () => {
    const lines: string[] = [];
    const log = createLogger({ fn: 'query', sink: (line) => lines.push(line) });
    const auth = await startAuth(
      readQueryConfig({
        QUERY_AUTH: 'none',
        MODEL_AUTH: 'token',
        QUERY_AUTH_TOKEN_FILE: join(dir, 'token'),
        KUBECONFIG: '/nonexistent',
      }),
      log,
    );
    try {
      const app = createApp({ ...f.deps, guard: auth.guard });
      expect((await answer(app, '/api/v1/model/nodes', bearer(STATIC))).status).toBe(200);
      expect((await answer(app, '/api/v1/model/nodes', bearer(ALICE))).status).toBe(401);
      expect((await answer(app, `${API}/nodes`)).status).toBe(200);
      expect(auth.requestCert).toBe(false);
      expect(lines.map((x) => JSON.parse(x))).toContainEqual(
        expect.objectContaining({ level: 'warn', event: 'auth_disabled', api: 'metrics.k8s.io' }),
      );
    } finally {
      auth.stop();
    }
  });
});

describe('settings and secrets', () => {
  it('QUERY_AUTH and MODEL_AUTH are checked, documented, and a short or missing token file stops the start', async () => {
    expect(readQueryConfig({})).toMatchObject({ queryAuth: 'delegated', modelAuth: 'delegated', apiTimeout: 5_000 });
    expect(() => readQueryConfig({ MODEL_AUTH: 'token' })).toThrow(/MODEL_AUTH=token needs QUERY_AUTH_TOKEN_FILE/);
    expect(() => readQueryConfig({ QUERY_AUTH: 'token' })).toThrow(ConfigError);
    const help = helpText('query', querySettings);
    for (const flag of ['--query-auth', '--model-auth', '--query-auth-token-file', '--kubeconfig'])
      expect(help).toContain(flag);
    writeFileSync(join(dir, 'short'), 'abc');
    const config = readQueryConfig({
      QUERY_AUTH: 'none',
      MODEL_AUTH: 'token',
      QUERY_AUTH_TOKEN_FILE: join(dir, 'short'),
    });
    await expect(startAuth(config, createLogger({ fn: 'query', sink: () => {} }))).rejects.toThrow(ConfigError);
  });

  it('no token ever appears in a log line or an answer', () => {
    const logText = JSON.stringify(f.logs);
    expect(f.logs.length).toBeGreaterThan(10);
    for (const token of [
      STATIC,
      ALICE,
      BOB,
      f.collected.sim.token,
      'no-such-token-0123456789',
      'fresh-token-never-seen-0123456789',
    ]) {
      expect(logText).not.toContain(token);
      expect(bodies.join('\n')).not.toContain(token);
    }
  });
});
