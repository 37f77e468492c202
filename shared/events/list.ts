/**
 * @module events/list
 * Pages of Events from every namespace (`limit`/`continue`), handed to the caller one at a time:
 * the next page is requested only after the caller is done with the previous one, so memory is
 * bounded by API_PAGE_SIZE whatever the number of events the API server holds.
 */
import { CoreV1Api, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { EventsApi } from '#shared/events/events-settings';
import { forEachPage, type FetchPage, type Page } from '#shared/kube/paging';

export interface EventListOptions {
  api: EventsApi;
  pageSize: number;
  /** Deadline of one page request, ms (API_TIMEOUT); the caller's work between pages is not counted. */
  timeoutMs: number;
}

/** Calls `onPage` for each page in order; returns the number of pages. Throws ApiServerError. */
export function forEachEventPage(
  kc: KubeConfig,
  opts: EventListOptions,
  onPage: (items: unknown[]) => Promise<void>,
): Promise<number> {
  const what = opts.api === 'core' ? 'events (/api/v1/events)' : 'events (/apis/events.k8s.io/v1/events)';
  return forEachPage(
    pageFetcher(kc, opts),
    { timeoutMs: opts.timeoutMs, what, hint: (status) => hint(status, opts.api) },
    onPage,
  );
}

function pageFetcher(kc: KubeConfig, opts: EventListOptions): FetchPage {
  const params = (cont: string | undefined) => ({ limit: opts.pageSize, ...(cont ? { _continue: cont } : {}) });
  if (opts.api === 'core') {
    const api = kc.makeApiClient(CoreV1Api);
    return (cont, o) => api.listEventForAllNamespaces(params(cont), o) as Promise<Page>;
  }
  const api = kc.makeApiClient(EventsV1Api);
  return (cont, o) => api.listEventForAllNamespaces(params(cont), o) as Promise<Page>;
}

function hint(status: number, api: EventsApi): string | undefined {
  if (status === 401 || status === 403)
    return 'the service account needs list on events in the API group of EVENTS_API: check its RBAC';
  if (status === 404 && api === 'events.k8s.io')
    return 'events.k8s.io/v1 is served from Kubernetes 1.19 on; set EVENTS_API=core for older API servers';
  return undefined;
}
