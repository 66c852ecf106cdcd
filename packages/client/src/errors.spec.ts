import { describe, expect, it } from '@jest/globals';
import {
  ConflictError,
  CooldownError,
  ERROR_CLASS_BY_LABEL,
  errorFromResponse,
  IdentityPausedError,
  InFlightError,
  LimitReachedError,
  OutsideWorkingHoursError,
  PacingRefusalError,
  RateLimitedError,
  ServerError,
  ServiceUnreachableError,
  SmartLimitsError,
  StoreUnavailableError,
  TooSoonError,
  ValidationError,
} from './errors.js';

const headers = (h: Record<string, string> = {}) => new Headers(h);
const envelope = (code: number, label: string | null, details?: unknown, extra: Record<string, unknown> = {}) => ({
  error: { code, status: 'x', error_label: label, message: `m ${label}`, ...(details !== undefined ? { details } : {}), ...extra },
});

describe('errorFromResponse', () => {
  it('picks the class by error_label first', () => {
    const paused = errorFromResponse(409, envelope(409, 'IDENTITY_PAUSED', { identity_id: 'i' }), headers({ 'x-request-id': 'r1' }));
    expect(paused).toBeInstanceOf(IdentityPausedError);
    expect(paused).toBeInstanceOf(ConflictError);
    expect(paused).toMatchObject({ status: 409, errorLabel: 'IDENTITY_PAUSED', message: 'm IDENTITY_PAUSED', requestId: 'r1', retryable: false });
    expect(errorFromResponse(429, envelope(429, 'LIMIT_REACHED'), headers())).toBeInstanceOf(LimitReachedError);
    expect(errorFromResponse(429, envelope(429, 'COOLDOWN'), headers())).toBeInstanceOf(CooldownError);
    expect(errorFromResponse(429, envelope(429, 'ip_rate_limited'), headers())).toBeInstanceOf(RateLimitedError);
  });

  it("pacing refusals: availableAt, blockedBy and each rule's own facts, never retried", () => {
    const until = '2026-01-05T09:01:15.000Z';
    const soon = errorFromResponse(
      429,
      envelope(429, 'TOO_SOON', {
        available_at: until,
        limit: 'LK_INVITATIONS_SENT',
        last_action_at: '2026-01-05T09:00:00.000Z',
        blocked_by: [{ rule: 'gap', limit: 'LK_INVITATIONS_SENT', window_seconds: null, until }],
      }),
      headers({ 'retry-after': '75' }),
    );
    expect(soon).toBeInstanceOf(TooSoonError);
    expect(soon).toBeInstanceOf(PacingRefusalError);
    expect(soon).toMatchObject({
      retryable: false,
      limit: 'LK_INVITATIONS_SENT',
      availableAt: new Date(until),
      lastActionAt: new Date('2026-01-05T09:00:00.000Z'),
    });
    expect((soon as TooSoonError).blockedBy.map((b) => b.rule)).toEqual(['gap']);
    const flight = errorFromResponse(429, envelope(429, 'IN_FLIGHT', { action_id: 'a1', lease_ends_at: until, available_at: until }), headers());
    expect(flight).toMatchObject({ inFlightActionId: 'a1', leaseEndsAt: new Date(until), availableAt: new Date(until) });
    expect(flight).toBeInstanceOf(InFlightError);
    const shut = errorFromResponse(429, envelope(429, 'OUTSIDE_WORKING_HOURS', { opens_at: until, available_at: until }), headers());
    expect(shut).toBeInstanceOf(OutsideWorkingHoursError);
    expect((shut as OutsideWorkingHoursError).opensAt).toEqual(new Date(until));
  });

  it('maps every label of the table to its class', () => {
    for (const [label, cls] of Object.entries(ERROR_CLASS_BY_LABEL)) {
      expect(errorFromResponse(400, envelope(400, label), headers())).toBeInstanceOf(cls);
    }
  });

  it('falls back on the status; a labelled 429 it does not know is never retried blindly', () => {
    expect(errorFromResponse(400, envelope(400, 'SOMETHING_NEW'), headers())).toBeInstanceOf(ValidationError);
    const unknown429 = errorFromResponse(429, envelope(429, 'SOMETHING_NEW'), headers({ 'retry-after': '30' }));
    expect(unknown429.constructor).toBe(SmartLimitsError);
    expect(unknown429).toMatchObject({ retryable: false, retryAfterSeconds: 30, errorLabel: 'SOMETHING_NEW' });
    // The seed's API-limit body has no error_label: the workspace's own limit, retried.
    const api = errorFromResponse(
      429,
      { error: { code: 429, status: 'Too Many Requests', details: { 'Retry-After': '2' }, message: 'Rate limit exceeded' } },
      headers(),
    );
    expect(api).toBeInstanceOf(RateLimitedError);
    expect(api).toMatchObject({ retryable: true, retryAfterSeconds: 2 });
    expect(errorFromResponse(503, envelope(503, null), headers())).toBeInstanceOf(StoreUnavailableError);
    const bug = errorFromResponse(500, envelope(500, 'INTERNAL_ERROR', undefined, { error_id: 'e-1' }), headers());
    expect(bug).toBeInstanceOf(ServerError);
    expect(bug.errorId).toBe('e-1');
  });

  it('reads a gateway 502/504 or a non-JSON answer without throwing anything untyped', () => {
    const gw = errorFromResponse(502, undefined, headers());
    expect(gw).toBeInstanceOf(ServiceUnreachableError);
    expect(gw).toMatchObject({ status: 502, retryable: true, requestSent: 'unknown' });
    const odd = errorFromResponse(418, 'teapot', headers());
    expect(odd).toMatchObject({ status: 418, message: 'HTTP 418', errorLabel: null, details: undefined });
  });

  it('CooldownError reads its scope and limits from details', () => {
    const limits = errorFromResponse(
      429,
      envelope(429, 'COOLDOWN', { scope: 'limits', limit: 'LK_A', limits: ['LK_A', 'LK_B'], ends_at: null }),
      headers(),
    );
    expect(limits).toMatchObject({ scope: 'limits', limit: 'LK_A', limits: ['LK_A', 'LK_B'], endsAt: null });
    const identity = errorFromResponse(
      429,
      envelope(429, 'COOLDOWN', { scope: 'identity', limit: null, ends_at: '2030-01-01T00:00:00.000Z' }),
      headers(),
    );
    expect(identity).toMatchObject({ scope: 'identity', limits: [], endsAt: new Date('2030-01-01T00:00:00.000Z') });
  });
});
