/**
 * @module kube/owners
 * ReplicaSets and Jobs, one paged LIST each, kept as name → controller only: what maps a pod to
 * its Deployment or CronJob. A list that fails (RBAC denied, old cluster) gives undefined and one
 * warning: pods then fall back to their direct owner, and the run goes on.
 */
import { AppsV1Api, BatchV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '#shared/log';
import type { OwnedObject } from '#shared/model';
import { decodeOwned } from '#shared/decode/objects';
import { forEachPage, type Page } from '#shared/kube/paging';
import { ownerMap, type Owners } from '#shared/derive/workload';
import type { ListOptions } from '#shared/kube/list';
import { asError } from '#shared/errors';

export async function listOwners(kc: KubeConfig, opts: ListOptions, log: Logger): Promise<Owners> {
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const [replicaSets, jobs] = await Promise.all([
    listOwned(
      (cont, o) =>
        apps.listReplicaSetForAllNamespaces(
          { limit: opts.pageSize, ...(cont ? { _continue: cont } : {}) },
          o,
        ) as Promise<Page>,
      'replicasets',
      opts,
      log,
    ),
    listOwned(
      (cont, o) =>
        batch.listJobForAllNamespaces(
          { limit: opts.pageSize, ...(cont ? { _continue: cont } : {}) },
          o,
        ) as Promise<Page>,
      'jobs',
      opts,
      log,
    ),
  ]);
  return { replicaSets, jobs };
}

async function listOwned(
  fetch: Parameters<typeof forEachPage>[0],
  what: 'replicasets' | 'jobs',
  opts: ListOptions,
  log: Logger,
): Promise<Owners['jobs']> {
  const items: OwnedObject[] = [];
  try {
    await forEachPage(fetch, { timeoutMs: opts.timeoutMs, what }, (page) => {
      for (const item of page) {
        const o = decodeOwned(item);
        if (o) items.push(o);
      }
    });
  } catch (err) {
    log.warn('owners_unlisted', {
      what,
      error: asError(err).message,
      hint: `pods owned by ${what} get their direct owner as workload; grant "list ${what}" to the collector (deploy/base/rbac.yaml)`,
    });
    return undefined;
  }
  return ownerMap(items);
}
