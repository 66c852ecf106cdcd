import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress, parseWebhookUrl } from './address-policy.js';

/** Resolves a host name to every address it has (injectable so tests need no DNS). */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * `addresses`: what the host resolved to when checked, for the connection to be pinned to (null when
 * private networks are allowed: nothing was checked, so there is nothing to pin).
 */
export type TargetCheck =
  { ok: true; url: URL; addresses: string[] | null } | { ok: false; reason: 'invalid' | 'unresolvable' | 'private'; message: string };

/**
 * Whether a webhook may be sent to `raw`: http(s), and unless private networks are allowed, every
 * address the host resolves to must be public (one private answer is enough to refuse: the
 * connection could use it). Run at creation and again before each delivery, since DNS can change;
 * a delivery then connects only to the addresses checked (webhook-post.ts), so a name that
 * re-resolves between the check and the connection (DNS rebinding) cannot reach another address.
 */
export async function checkWebhookTarget(raw: string, opts: { allowPrivate: boolean; resolve?: Resolver }): Promise<TargetCheck> {
  const parsed = parseWebhookUrl(raw);
  if ('problem' in parsed) return { ok: false, reason: 'invalid', message: parsed.problem };
  if (opts.allowPrivate) return { ok: true, url: parsed.url, addresses: null };
  let addresses: string[];
  if (isIP(parsed.host)) {
    addresses = [parsed.host];
  } else {
    try {
      addresses = await (opts.resolve ?? systemResolver)(parsed.host);
    } catch {
      addresses = [];
    }
    if (!addresses.length) return { ok: false, reason: 'unresolvable', message: `url host ${parsed.host} does not resolve` };
  }
  const blocked = addresses.find((a) => !isPublicAddress(a));
  if (blocked) {
    return {
      ok: false,
      reason: 'private',
      message: `url must not point to a loopback, private, link-local or multicast address (${parsed.host} → ${blocked})`,
    };
  }
  return { ok: true, url: parsed.url, addresses };
}
