import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { signPayload, verifySignature } from './webhooks.js';

const SECRET = 'whsec_test_secret';
const BODY = '{"id":"e1","type":"cooldown.started","data":{}}';
const T = 1_800_000_000;
const NOW = T * 1000;

describe('webhook signature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signPayload(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies what it signs, from a string or the raw bytes', () => {
    const header = signPayload(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY, { now: NOW })).toBe(true);
    expect(verifySignature(SECRET, header, Buffer.from(BODY), { now: new Date(NOW) })).toBe(true);
  });

  it('refuses another secret, a changed body, a changed timestamp', () => {
    const header = signPayload(SECRET, BODY, T);
    expect(verifySignature('whsec_other', header, BODY, { now: NOW })).toBe(false);
    expect(verifySignature(SECRET, header, BODY.replace('e1', 'e2'), { now: NOW })).toBe(false);
    expect(verifySignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, { now: NOW })).toBe(false);
  });

  it('refuses a signature outside the tolerance, either way', () => {
    const header = signPayload(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY, { now: NOW + 300_000 })).toBe(true);
    expect(verifySignature(SECRET, header, BODY, { now: NOW + 301_000 })).toBe(false);
    expect(verifySignature(SECRET, header, BODY, { now: NOW - 301_000 })).toBe(false);
    expect(verifySignature(SECRET, header, BODY, { now: NOW + 3_600_000, toleranceSeconds: 3600 })).toBe(true);
  });

  it('accepts any of several v1 entries (secret rotation) and ignores unknown schemes', () => {
    const good = signPayload(SECRET, BODY, T).split(',v1=')[1];
    const other = signPayload('whsec_old', BODY, T).split(',v1=')[1];
    expect(verifySignature(SECRET, `t=${T},v0=abc,v1=${other},v1=${good}`, BODY, { now: NOW })).toBe(true);
  });

  it('refuses malformed headers without throwing', () => {
    for (const h of [
      undefined,
      null,
      '',
      't=',
      `v1=${'a'.repeat(64)}`,
      `t=${T}`,
      `t=abc,v1=${'a'.repeat(64)}`,
      `t=${T},v1=xyz`,
      `t=${T},v1=${'a'.repeat(63)}`,
    ]) {
      expect(verifySignature(SECRET, h as string, BODY, { now: NOW })).toBe(false);
    }
    expect(verifySignature('', signPayload('', BODY, T), BODY, { now: NOW })).toBe(false);
  });
});
