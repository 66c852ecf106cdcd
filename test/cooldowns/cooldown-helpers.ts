import { DataSource } from 'typeorm';
import { type TestApp } from '../support/test-app.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The calls a worker makes, bound to one app and key. */
export function workerCalls(t: TestApp, key: string) {
  return {
    outcome: (identityId: string, body: Record<string, unknown>) => t.request('POST', `/v1/identities/${identityId}/outcomes`, { key, body }),
    guard: (identityId: string, action: string, actionId: string, extra: Record<string, unknown> = {}) =>
      t.request('POST', `/v1/identities/${identityId}/actions/${action}/guard`, { key, body: { action_id: actionId, ...extra } }),
    history: (identityId: string, query = '') => t.request('GET', `/v1/identities/${identityId}/cooldowns${query}`, { key }),
    manual: (identityId: string, body: Record<string, unknown>) => t.request('POST', `/v1/identities/${identityId}/cooldowns`, { key, body }),
    clear: (identityId: string) => t.request('POST', `/v1/identities/${identityId}/cooldowns/clear`, { key }),
  };
}

/** Outbox rows of one identity, oldest first. */
export async function eventsOf(t: TestApp, identityId: string): Promise<{ type: string; payload: any; created_at: Date }[]> {
  return t.app.get(DataSource).query(`select type, payload, created_at from outbox_events where identity_id = $1 order by seq`, [identityId]);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | false | null | undefined>, timeoutMs: number, stepMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A LinkedIn 429 as Edges propagates it. */
export const LINKEDIN_429 = { status_code: 429, error_label: 'STATUS_429', body: { status: 429 } };
