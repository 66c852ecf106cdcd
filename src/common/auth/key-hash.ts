import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(kind: 'live' | 'admin' = 'live'): string {
  return `sl_${kind}_${randomBytes(32).toString('base64url')}`;
}

/** Constant-time comparison of two secrets of any length (compares their digests). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Reads the key from `Authorization: Bearer <key>` or `X-API-Key`. */
export function extractApiKey(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers['authorization'];
  const a = Array.isArray(auth) ? auth[0] : auth;
  if (a) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(a);
    if (m) return m[1];
  }
  const x = headers['x-api-key'];
  const v = Array.isArray(x) ? x[0] : x;
  return v?.trim() || null;
}
