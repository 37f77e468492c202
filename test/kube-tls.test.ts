/**
 * KUBELET_INSECURE_TLS is about kubelet certificates only. Through the API server's node proxy
 * the peer is the API server, and the collector's token (which holds nodes/proxy there) must
 * never reach an impostor: the setting is refused in that mode, and the scrape client verifies
 * the API server whatever it is given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCollectConfig } from '#shared/collect/settings';
import { ConfigError } from '#shared/errors';
import { loadKubeConfig } from '#shared/kube/config';
import { createSummaryFetcher } from '#shared/scrape/kubelet-client';
import { createCa, selfSignedServerCert } from '#shared/tls/certificates';
import { writeKubeconfig } from '#test/sim/kubeconfig';

const TOKEN = 'collector-token-5f1e2d9c';

describe('apiserver-proxy mode always verifies the API server', () => {
  let dir: string;
  let impostor: Server;
  let kubeconfigPath: string;
  const seen: Array<string | undefined> = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heapless-kubetls-'));
    // The impostor answers every request with a self-signed certificate and records what it got.
    const cert = selfSignedServerCert({ commonName: 'kubernetes' });
    impostor = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"node":{}}');
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const addr = impostor.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    // The kubeconfig trusts the real cluster's CA, not the impostor's certificate.
    const clusterCa = createCa('cluster-ca');
    ({ kubeconfigPath } = await writeKubeconfig(dir, `https://127.0.0.1:${port}`, clusterCa.certPem, TOKEN));
  });
  afterAll(async () => {
    impostor.closeAllConnections();
    await new Promise<void>((resolve) => impostor.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses KUBELET_INSECURE_TLS=true with KUBELET_ACCESS=apiserver-proxy, naming both', () => {
    const env = { KUBECONFIG: kubeconfigPath, KUBELET_ACCESS: 'apiserver-proxy', KUBELET_INSECURE_TLS: 'true' };
    expect(() => readCollectConfig(env)).toThrow(ConfigError);
    expect(() => readCollectConfig(env)).toThrow(/KUBELET_INSECURE_TLS=true with KUBELET_ACCESS=apiserver-proxy/);
    expect(readCollectConfig({ ...env, KUBELET_ACCESS: 'direct' }).kubeletInsecureTls).toBe(true);
  });

  it('never sends the token to an impostor API server with a self-signed certificate', async () => {
    const fetch = await createSummaryFetcher(loadKubeConfig(kubeconfigPath), {
      access: 'apiserver-proxy',
      insecure: true,
      timeoutMs: 5_000,
      maxBodyBytes: 1_000_000,
      concurrency: 1,
    });
    // Before the fix: the impostor answered 200 and had received `Bearer collector-token-…`.
    await expect(fetch({ node: 'node-0', host: '127.0.0.1', port: 10250 })).rejects.toThrow();
    expect(seen).toEqual([]);
  });
});
