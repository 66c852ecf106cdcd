import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, `SmartLimits-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
 * Pure and dependency-free (node:crypto only) so receivers can import it. The timestamp is signed
 * with the body so a captured request cannot be replayed outside the tolerance.
 */

export const SIGNATURE_HEADER = 'SmartLimits-Signature';
export const EVENT_ID_HEADER = 'SmartLimits-Event-Id';

export const DEFAULT_TOLERANCE_SECONDS = 300;

type Body = string | Uint8Array;

function hmacHex(secret: string, timestamp: number, body: Body): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The header value for `body` signed at `timestampSeconds` (unix seconds). */
export function signPayload(secret: string, body: Body, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

export interface VerifyOptions {
  /** How far the signed time may be from `now`, either way (default 300 s). */
  toleranceSeconds?: number;
  /** Current time (a Date or epoch milliseconds); default the system clock. */
  now?: Date | number;
}

/**
 * True when `header` carries a v1 signature of exactly `body` (the raw bytes received, before any
 * JSON parsing) by `secret`, made within the tolerance. Several v1 entries are accepted (any may
 * match), so a sender may sign with two secrets while one is rotated.
 */
export function verifySignature(secret: string, header: string | null | undefined, body: Body, options: VerifyOptions = {}): boolean {
  if (!secret || typeof header !== 'string') return false;
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === null || candidates.length === 0) return false;

  const nowMs = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(nowMs / 1000 - timestamp) > tolerance) return false;

  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  // Compare every candidate in constant time; never short-circuit on the first byte that differs.
  return candidates.some((c) => timingSafeEqual(expected, Buffer.from(c, 'hex')));
}
