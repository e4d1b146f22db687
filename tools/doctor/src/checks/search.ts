// The search engine (sink-search's OpenSearch): reachable and the cluster not red.
import { fail, pass, reason, withTimeout, type CheckRow } from './types.js';

export async function checkSearch(url: string, timeoutMs: number): Promise<CheckRow[]> {
  const base = url.replace(/\/+$/, '');
  const shown = base.replace(/(\/\/[^@]*:)[^@]+@/, '$1***@');
  try {
    const res = await withTimeout(fetch(`${base}/_cluster/health`), timeoutMs, `GET ${shown}/_cluster/health`);
    if (!res.ok) return [fail('search', 'cluster', `${shown}: HTTP ${res.status}`)];
    const health = (await res.json()) as { status?: string; cluster_name?: string; number_of_nodes?: number };
    const detail = `${shown}: ${health.cluster_name ?? '?'} ${health.status ?? '?'}, ${health.number_of_nodes ?? '?'} node(s)`;
    return [health.status === 'red' ? fail('search', 'cluster', detail) : pass('search', 'cluster', detail)];
  } catch (err) {
    return [fail('search', 'cluster', `${shown}: ${reason(err)}`)];
  }
}
