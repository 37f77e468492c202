/**
 * @module kube/owners
 * ReplicaSets and Jobs, one paged LIST each, kept as name → controller only: what maps a pod to
 * its Deployment or CronJob. A list that fails (RBAC denied, old cluster) gives undefined and one
 * warning: pods then fall back to their direct owner, and the run goes on.
 */
import type { Logger } from '#shared/log';
import type { OwnedObject } from '#shared/model';
import { decodeOwned } from '#shared/decode/objects';
import { ownerMap, type Owners } from '#shared/derive/workload';
import type { ListClient, ListOptions } from '#shared/kube/list';
import { asError } from '#shared/errors';
import { kubeProblem } from '#shared/kube/kube-errors';
import { ListBodyError } from '#shared/kube/stream-list';

/** Read through the run's streaming list client (kube/stream-list), item by item, like pods. */
export async function listOwners(lists: ListClient, opts: ListOptions, log: Logger): Promise<Owners> {
  const [replicaSets, jobs] = await Promise.all([
    listOwned(lists, '/apis/apps/v1/replicasets', 'replicasets', opts, log),
    listOwned(lists, '/apis/batch/v1/jobs', 'jobs', opts, log),
  ]);
  return { replicaSets, jobs };
}

async function listOwned(
  lists: ListClient,
  path: string,
  what: 'replicasets' | 'jobs',
  opts: ListOptions,
  log: Logger,
): Promise<Owners['jobs']> {
  const items: OwnedObject[] = [];
  try {
    await lists.list(path, {}, { ...opts, what }, (item) => {
      const o = decodeOwned(item);
      if (o) items.push(o);
    });
  } catch (err) {
    // Cut by the run, or a problem every listing has (401, refused, kubeconfig): the node and pod
    // listings report it as the operator's error; a warning about RBAC here would mislead.
    if (opts.signal?.aborted || kubeProblem(err)) return undefined;
    const fix =
      err instanceof ListBodyError ? err.hint : `grant "list ${what}" to the collector (deploy/base/rbac.yaml)`;
    log.warn('owners_unlisted', {
      what,
      error: asError(err).message,
      hint: `pods owned by ${what} get their direct owner as workload; ${fix}`,
    });
    return undefined;
  }
  return ownerMap(items);
}
