/**
 * Recognises failures of the stores so they become 503 STORE_UNAVAILABLE instead of 500:
 * ioredis timeouts / closed connections and pg connection failures.
 */
export function storeOfError(err: unknown): 'redis' | 'postgres' | null {
  // Duck-typed, not `instanceof Error`: socket errors are created by Node's core, whose Error is
  // another realm's under a VM sandbox (Jest), and they must still be recognised.
  if (typeof err !== 'object' || err === null || typeof (err as Error).message !== 'string') return null;
  const name = (err as Error).name;
  const msg = (err as Error).message ?? '';
  const code = (err as { code?: string }).code ?? '';
  if (
    name === 'MaxRetriesPerRequestError' ||
    /Command timed out|Connection is closed|Stream isn't writeable|enableOfflineQueue|Cluster isn't ready|ClusterAllFailedError|Failed to refresh slots cache|None of startup nodes is available/i.test(
      msg,
    ) ||
    name === 'ClusterAllFailedError'
  ) {
    return 'redis';
  }
  if (
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Connection terminated unexpectedly|terminating connection|the database system is (starting|shutting) up|Client has encountered a connection error|Query read timeout/i.test(
      msg,
    ) ||
    ['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300'].includes(code) ||
    (name === 'QueryFailedError' && /ECONNREFUSED|Connection terminated/i.test(msg))
  ) {
    return 'postgres';
  }
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
    return /5432|postgres/i.test(msg) ? 'postgres' : 'redis';
  }
  return null;
}
