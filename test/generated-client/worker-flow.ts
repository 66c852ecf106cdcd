// The README's worker flow, written only against types generated from /openapi.json
// (openapi-typescript) and called through openapi-fetch: no casts, compiled with --strict by
// test/contract/generated-client.e2e-spec.ts, which also runs it against the service.
import createClient from 'openapi-fetch';
import type { paths } from './openapi.js';

export type WorkerResult =
  | { kind: 'done'; outcome: string; cooldownEndsAt: string | null; remaining: number }
  | { kind: 'released'; released: boolean }
  | { kind: 'later'; label: string; at: string | null };

/** What LinkedIn answered, or null when the action never reached it. */
export type Act = () => Promise<number | null>;

/** Guard, act, report: one LinkedIn action of one identity. */
export async function runAction(
  baseUrl: string,
  apiKey: string,
  identityId: string,
  actionSlug: string,
  actionId: string,
  act: Act,
): Promise<WorkerResult> {
  const sl = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });
  const path = { identityId, actionSlug };

  const guard = await sl.POST('/v1/identities/{identityId}/actions/{actionSlug}/guard', {
    params: { path },
    body: { action_id: actionId },
  });
  if (guard.error) {
    // Refused before LinkedIn could object: wait until the time the service names.
    const e = guard.error.error;
    if ('error_label' in e && (e.error_label === 'LIMIT_REACHED' || e.error_label === 'COOLDOWN')) {
      const at = e.error_label === 'LIMIT_REACHED' ? e.details?.available_at : e.details?.ends_at;
      return { kind: 'later', label: e.error_label, at: typeof at === 'string' ? at : null };
    }
    throw new Error(`guard refused: ${guard.response.status} ${e.message}`);
  }
  const tightest = Math.min(...guard.data.limits.map((l) => l.remaining));

  const status = await act();
  if (status === null) {
    // LinkedIn was never reached: give the slots back.
    const release = await sl.POST('/v1/identities/{identityId}/actions/{actionSlug}/release', { params: { path }, body: { action_id: actionId } });
    if (release.error) throw new Error(`release failed: ${release.error.error.message}`);
    return { kind: 'released', released: release.data.released };
  }

  const outcome = await sl.POST('/v1/identities/{identityId}/outcomes', {
    params: { path: { identityId } },
    body: { action_slug: actionSlug, action_id: actionId, status_code: status },
  });
  if (outcome.error) throw new Error(`outcome not recorded: ${outcome.error.error.message}`);
  return {
    kind: 'done',
    outcome: outcome.data.classification.type,
    cooldownEndsAt: outcome.data.cooldown?.ends_at ?? null,
    remaining: tightest,
  };
}
