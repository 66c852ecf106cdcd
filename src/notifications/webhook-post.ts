import { fetch } from 'undici';
import { pinnedAgent } from './pinned-connection.js';
import { checkWebhookTarget, type Resolver } from './webhook-target.js';

export type SendResult = { ok: boolean; statusCode: number | null; error: string | null };

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Checks the target (DNS may point elsewhere than when the webhook was created) and POSTs to the
 * addresses that check saw: the connection is pinned to them, so a name that re-resolves between the
 * check and the connection (DNS rebinding) cannot reach a private address. With private networks
 * allowed nothing is checked, and the connection resolves the name itself.
 */
export async function postWebhook(post: WebhookPost, opts: { allowPrivate: boolean; resolve: Resolver; timeoutMs: number }): Promise<SendResult> {
  const target = await checkWebhookTarget(post.url, { allowPrivate: opts.allowPrivate, resolve: opts.resolve });
  if (!target.ok) return { ok: false, statusCode: null, error: `refused: ${target.message}` };
  const agent = target.addresses ? pinnedAgent(target.addresses) : undefined;
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: post.headers,
      body: post.body,
      // A redirect could lead to an address the checks above never saw.
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
      ...(agent ? { dispatcher: agent } : {}),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, error: null };
    const why = res.status >= 300 && res.status < 400 ? 'redirects are not followed' : 'non-2xx answer';
    return { ok: false, statusCode: res.status, error: `HTTP ${res.status}: ${why}` };
  } catch (e) {
    return { ok: false, statusCode: null, error: describeFetchError(e as Error, opts.timeoutMs) };
  } finally {
    void agent?.destroy().catch(() => undefined);
  }
}

function describeFetchError(e: Error, timeoutMs: number): string {
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${cause.code}: ${cause.message ?? e.message}` : e.message;
}
