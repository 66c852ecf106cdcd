import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress, parseWebhookUrl } from './address-policy.js';

/** Resolves a host name to every address it has (injectable so tests need no DNS). */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: 'invalid' | 'unresolvable' | 'private'; message: string };

/**
 * Whether a webhook may be sent to `raw`: http(s), and unless private networks are allowed, every
 * address the host resolves to must be public (one private answer is enough to refuse: the
 * connection could use it). Run at creation and again before each delivery, since DNS can change.
 * A name that re-resolves between this check and the connection (rebinding) is the residual risk
 * of using the platform fetch, which cannot be pinned to the checked address.
 */
export async function checkWebhookTarget(raw: string, opts: { allowPrivate: boolean; resolve?: Resolver }): Promise<TargetCheck> {
  const parsed = parseWebhookUrl(raw);
  if ('problem' in parsed) return { ok: false, reason: 'invalid', message: parsed.problem };
  if (opts.allowPrivate) return { ok: true, url: parsed.url };
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
  return { ok: true, url: parsed.url };
}
