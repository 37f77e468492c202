/**
 * @module query/auth/namespace-scope
 * A cluster-wide list narrowed to the namespaces the caller may list pods in (the guard's
 * `namespaceScope`), one SubjectAccessReview per namespace the answer holds, a few at a time and
 * cached by the delegation (10 s), as kube-apiserver would answer each namespace's list.
 */
import type { Context } from 'hono';

/** SubjectAccessReviews in flight at once: a cluster has tens to hundreds of namespaces. */
const REVIEWS_AT_ONCE = 8;

export type Narrowed<T> = { items: T[] } | { status: 403 | 503; error: string };

/** `items` whose namespace the caller may list pods in; all of them when the guard set no scope. */
export async function narrowToNamespaces<T>(
  c: Context,
  items: readonly T[],
  namespaceOf: (item: T) => string,
): Promise<Narrowed<T>> {
  const scope = c.get('namespaceScope');
  if (!scope) return { items: [...items] };
  const namespaces = [...new Set(items.map(namespaceOf))];
  const allowed = new Set<string>();
  try {
    for (let i = 0; i < namespaces.length; i += REVIEWS_AT_ONCE) {
      const batch = namespaces.slice(i, i + REVIEWS_AT_ONCE);
      const answers = await Promise.all(batch.map((ns) => scope.allowed(ns)));
      batch.forEach((ns, j) => answers[j] && allowed.add(ns));
    }
  } catch {
    c.set('failureReason', 'auth_unavailable');
    return { status: 503, error: 'the credentials cannot be checked now; try again later' };
  }
  // Nothing the caller may see: the cluster-scope refusal, as before any namespace was asked about.
  if (allowed.size === 0) return { status: 403, error: scope.refusal };
  return { items: items.filter((item) => allowed.has(namespaceOf(item))) };
}
