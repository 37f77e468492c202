// Creates the Secrets named in SECRETS when they do not exist, each key set to a random password.
// Runs once at install (the heapless-credentials Job) with plain Node: no dependencies.
//
//   SECRETS             "name=key1,key2;name2=key3": the Secrets and their keys
//   NAMESPACE           where to create them (the Job passes its own namespace)
//   KUBERNETES_API_URL  default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
//   SERVICEACCOUNT_DIR  default /var/run/secrets/kubernetes.io/serviceaccount (token, ca.crt)
//
// Exit 0 when every Secret exists afterwards (created now, before, or by a concurrent run);
// 1 otherwise. Passwords are never logged.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PASSWORD_LENGTH = 32;

function log(level, event, fields = {}) {
  process.stdout.write(
    JSON.stringify({ time: new Date().toISOString(), level, fn: 'credentials', event, ...fields }) + '\n',
  );
}

/** Letters and digits only: the InfluxDB image's init script passes passwords through a shell. */
export function password(length = PASSWORD_LENGTH) {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting the rest keeps every character equally likely.
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

export function parseSecrets(spec) {
  return spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [name, keys] = entry.split('=');
      const list = (keys ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      if (
        !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name ?? '') ||
        list.length === 0 ||
        list.some((k) => !/^[-._a-zA-Z0-9]+$/.test(k))
      ) {
        throw new Error(`SECRETS: bad entry ${JSON.stringify(entry)}; expected name=key1,key2`);
      }
      return { name, keys: list };
    });
}

function api(base, token, ca) {
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const url = new URL(path, base);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = send(
        url,
        {
          method,
          ...(url.protocol === 'https:' && ca ? { ca } : {}),
          headers: {
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
          timeout: 10_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
}

async function ensureSecret(call, namespace, { name, keys }) {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  const got = await call('GET', `${path}/${encodeURIComponent(name)}`);
  if (got.status === 200) {
    log('info', 'secret_exists', { secret: name });
    return true;
  }
  if (got.status !== 404) return fail(name, 'get', got);
  const data = Object.fromEntries(keys.map((k) => [k, Buffer.from(password()).toString('base64')]));
  const created = await call('POST', path, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/part-of': 'heapless', 'app.kubernetes.io/managed-by': 'heapless-credentials' },
    },
    type: 'Opaque',
    data,
  });
  if (created.status === 201 || created.status === 200) {
    log('info', 'secret_created', { secret: name, keys });
    return true;
  }
  if (created.status === 409) {
    log('info', 'secret_exists', { secret: name, note: 'created concurrently' });
    return true;
  }
  return fail(name, 'create', created);
}

function fail(name, verb, res) {
  const hint =
    res.status === 401 || res.status === 403 ? 'check the heapless-credentials ServiceAccount and its Role' : undefined;
  log('error', 'secret_failed', {
    secret: name,
    verb,
    status: res.status,
    body: res.text.slice(0, 300),
    ...(hint ? { hint } : {}),
  });
  return false;
}

export async function main(env = process.env) {
  const saDir = env.SERVICEACCOUNT_DIR || '/var/run/secrets/kubernetes.io/serviceaccount';
  const read = (f) => {
    try {
      return readFileSync(`${saDir}/${f}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const base = env.KUBERNETES_API_URL || `https://${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT}`;
  const namespace = env.NAMESPACE || read('namespace');
  let secrets;
  try {
    if (!namespace) throw new Error('NAMESPACE is not set and the service account has no namespace file');
    secrets = parseSecrets(env.SECRETS ?? '');
    if (secrets.length === 0) throw new Error('SECRETS is empty; expected name=key1,key2;name2=key3');
  } catch (err) {
    log('error', 'config_invalid', { error: err.message });
    return 2;
  }
  const call = api(base, read('token'), read('ca.crt'));
  let ok = true;
  for (const s of secrets) {
    try {
      ok = (await ensureSecret(call, namespace, s)) && ok;
    } catch (err) {
      log('error', 'secret_failed', { secret: s.name, error: err.message });
      ok = false;
    }
  }
  return ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((code) => {
    process.exitCode = code;
  });
}
