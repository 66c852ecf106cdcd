import { isIP } from 'node:net';

/**
 * Which IP addresses a webhook may be sent to (pure). Everything that is not ordinary public
 * unicast is refused: an attacker-supplied URL must not reach the service's own network
 * (cloud metadata at 169.254.169.254, databases on 10/8, the admin port on loopback).
 */

// [network, prefix length], each with why it is refused.
const V4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const V6_BLOCKED: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID…)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

function v4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

/** 128-bit value of an IPv6 address (handles `::` and a dotted IPv4 tail). */
function v6ToBigInt(ip: string): bigint {
  let s = ip.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v4 = v4ToBigInt(dotted[1]);
    s = s.slice(0, -dotted[1].length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const h = head ? head.split(':') : [];
  const t = tail === null ? [] : tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function inV4(ip: bigint, [base, len]: [string, number]): boolean {
  const shift = BigInt(32 - len);
  return ip >> shift === v4ToBigInt(base) >> shift;
}

function inV6(ip: bigint, [base, len]: [string, number]): boolean {
  const shift = BigInt(128 - len);
  return ip >> shift === v6ToBigInt(base) >> shift;
}

function isPublicV4(n: bigint): boolean {
  return !V4_BLOCKED.some((r) => inV4(n, r));
}

/** True for an ordinary public unicast address; false for anything else, including non-addresses. */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip.replace(/%.*$/, ''));
  if (family === 4) return isPublicV4(v4ToBigInt(ip));
  if (family !== 6) return false;
  const n = v6ToBigInt(ip);
  if (V6_BLOCKED.some((r) => inV6(n, r))) return false;
  // Addresses that carry an IPv4 address reach that address: judge the embedded one.
  if (n >> 32n === 0xffffn) return isPublicV4(n & 0xffffffffn); // ::ffff:a.b.c.d (mapped)
  if (n >> 32n === 0n) return isPublicV4(n & 0xffffffffn); // ::a.b.c.d (compatible, deprecated)
  if (n >> 32n === 0x0064ff9b0000000000000000n) return isPublicV4(n & 0xffffffffn); // 64:ff9b::/96 NAT64
  if (n >> 112n === 0x2002n) return isPublicV4((n >> 80n) & 0xffffffffn); // 2002::/16 6to4
  return true;
}

export type UrlProblem = string;

/**
 * Parses a webhook URL: http(s) only, no credentials, a host. Returns the URL and its hostname
 * without brackets (for IP checks and DNS), or the problem to show the caller.
 */
export function parseWebhookUrl(raw: string): { url: URL; host: string } | { problem: UrlProblem } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'url must be an absolute http(s) URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'url must use http or https' };
  if (url.username || url.password) return { problem: 'url must not carry credentials; verify the signature instead' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return { problem: 'url must name a host' };
  return { url, host };
}
