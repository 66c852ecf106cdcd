import { describe, it, expect } from '@jest/globals';
import { classify, type Classification, type Outcome } from './classifier.js';
import { MAX_SCANNED_BODY_CHARS } from './outcome-reader.js';

const now = new Date('2025-08-05T12:00:00Z');
const connect = 'linkedin-connect-profile';

function run(outcome: Omit<Outcome, 'action_slug'> & { action_slug?: string }): Classification {
  return classify({ action_slug: connect, ...outcome }, now);
}

// The seed's rate-limit body (edges-rate-limits.txt), byte for byte in shape.
const seedRateLimitBody = {
  error: {
    code: 429,
    status: 'Too Many Requests',
    details: {
      'Retry-After': '60',
      'X-RateLimit-Limit': '2',
      'X-RateLimit-Reset': '1754402101',
      'X-RateLimit-Type': '/v1/actions',
    },
    message: 'Rate limit exceeded (/v1/actions)',
  },
};

const linkedInHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'x-li-fabric': 'prod-lor1',
  'x-li-pop': 'afd-prod-lor1-x',
  'x-li-uuid': 'AAYaB3+7X1nq0Hm2Uo1mLw==',
};

describe('classify: one test per row of LIMITS.md', () => {
  it('internal: the seed 429 body (Edges / our workspace API limit) → no cooldown, caller backs off by Retry-After', () => {
    expect(
      run({
        status_code: 429,
        headers: { 'Retry-After': '60', 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0' },
        body: JSON.stringify(seedRateLimitBody),
      }),
    ).toEqual({
      type: 'internal',
      status_code: 429,
      error_label: null,
      origin: 'api',
      retryable: true,
      retry_after_seconds: 60,
      signal: 'api_rate_limit',
      cooldown: 'none',
    });
  });

  it('detected: 429 LIMIT_REACHED from the guard → no cooldown', () => {
    expect(
      run({
        status_code: 429,
        headers: { 'retry-after': '1800', 'x-ratelimit-type': 'smart-limits/LK_INVITATIONS_SENT' },
        body: {
          error: {
            code: 429,
            status: 'Too Many Requests',
            error_label: 'LIMIT_REACHED',
            message: 'LK_INVITATIONS_SENT is full for this identity',
            details: { limit: 'LK_INVITATIONS_SENT', available_at: '2025-08-05T12:30:00Z' },
          },
        },
      }),
    ).toEqual({
      type: 'detected',
      status_code: 429,
      error_label: 'LIMIT_REACHED',
      origin: 'smart-limits',
      retryable: true,
      retry_after_seconds: 1800,
      signal: 'limit_reached',
      cooldown: 'none',
    });
  });

  it('passive: LinkedIn 429 (STATUS_429) → a strike', () => {
    expect(run({ status_code: 429, error_label: 'STATUS_429', body: { status: 429 } })).toEqual({
      type: 'passive',
      status_code: 429,
      error_label: 'STATUS_429',
      origin: 'linkedin',
      retryable: true,
      retry_after_seconds: null,
      signal: 'linkedin_429',
      cooldown: 'strike',
    });
  });

  it('CUSTOM_INVITE_LIMIT_REACHED → weekly_limit / NOTE_LIMIT', () => {
    expect(
      run({
        status_code: 429,
        action_slug: 'linkedin-connect-profile-with-note',
        error_label: 'CUSTOM_INVITE_LIMIT_REACHED',
        body: { error: { code: 429, error_label: 'CUSTOM_INVITE_LIMIT_REACHED', message: 'No custom invites left' } },
      }),
    ).toMatchObject({
      type: 'weekly_limit',
      error_label: 'NOTE_LIMIT',
      origin: 'linkedin',
      signal: 'invite_note_limit',
      cooldown: 'note_limit',
    });
  });

  it('"weekly invitation limit" message → weekly_limit / WEEKLY_LIMIT', () => {
    expect(
      run({
        status_code: 429,
        headers: { 'Content-Type': 'application/json' },
        body: '{"status":429,"message":"You\'ve reached the weekly invitation limit"}',
      }),
    ).toMatchObject({
      type: 'weekly_limit',
      error_label: 'WEEKLY_LIMIT',
      signal: 'weekly_invitation_limit',
      cooldown: 'weekly_limit',
    });
  });

  it('422 "cannot resend yet" → weekly_limit / WEEKLY_LIMIT', () => {
    expect(
      run({
        status_code: 422,
        body: {
          status: 422,
          type: 'errors/cannot_resend_yet',
          title: 'Cannot resend yet',
          detail: 'The invitation cannot be resent yet.',
        },
      }),
    ).toMatchObject({ type: 'weekly_limit', error_label: 'WEEKLY_LIMIT', signal: 'cannot_resend_yet', cooldown: 'weekly_limit' });
  });

  it('HTTP 999 → antibot / BLOCKED_ANTIBOT (even though its page scripts a redirect to the authwall)', () => {
    expect(
      run({
        status_code: 999,
        headers: linkedInHeaders,
        body:
          '<html><head><script type="text/javascript">window.onload = function() {' +
          'var domain = location.host; if (domain.indexOf("linkedin.com") !== -1) {' +
          'window.location.href = "https://www.linkedin.com/authwall?trk=bf&trkInfo=AQ";}}</script></head></html>',
      }),
    ).toEqual({
      type: 'antibot',
      status_code: 999,
      error_label: 'BLOCKED_ANTIBOT',
      origin: 'linkedin',
      retryable: true,
      retry_after_seconds: null,
      signal: 'http_999',
      cooldown: 'antibot',
    });
  });

  it('checkpoint / challenge redirect → challenge / CHALLENGE, not retryable', () => {
    expect(
      run({
        status_code: 302,
        headers: {
          ...linkedInHeaders,
          Location: 'https://www.linkedin.com/checkpoint/challenge/AgHkDp0VKTh9MwAAAYp?ut=2xyzW&session_redirect=%2Flogin',
        },
        body: '',
      }),
    ).toEqual({
      type: 'challenge',
      status_code: 302,
      error_label: 'CHALLENGE',
      origin: 'linkedin',
      retryable: false,
      retry_after_seconds: null,
      signal: 'checkpoint_challenge',
      cooldown: 'challenge',
    });
  });

  it('"account restricted" → restricted / RESTRICTED, not retryable', () => {
    expect(
      run({
        status_code: 403,
        headers: linkedInHeaders,
        body: '<html><body><h1>Your account has been restricted</h1><p>We noticed some unusual activity.</p></body></html>',
      }),
    ).toEqual({
      type: 'restricted',
      status_code: 403,
      error_label: 'RESTRICTED',
      origin: 'linkedin',
      retryable: false,
      retry_after_seconds: null,
      signal: 'account_restricted',
      cooldown: 'restricted',
    });
  });

  it('401 → auth_expired / AUTH_EXPIRED', () => {
    expect(run({ status_code: 401, headers: { 'content-type': 'application/json' }, body: { status: 401 } })).toEqual({
      type: 'auth_expired',
      status_code: 401,
      error_label: 'AUTH_EXPIRED',
      origin: 'linkedin',
      retryable: false,
      retry_after_seconds: null,
      signal: 'http_401',
      cooldown: 'auth_expired',
    });
  });

  it('redirect to login → auth_expired / AUTH_EXPIRED', () => {
    expect(
      run({
        status_code: 302,
        headers: { location: 'https://www.linkedin.com/uas/login?session_redirect=https%3A%2F%2Fwww.linkedin.com%2Ffeed%2F' },
      }),
    ).toMatchObject({ type: 'auth_expired', error_label: 'AUTH_EXPIRED', signal: 'login_redirect', cooldown: 'auth_expired' });
  });

  it('5xx → transient, no cooldown', () => {
    expect(run({ status_code: 502, body: '<html><body>Bad Gateway</body></html>' })).toEqual({
      type: 'transient',
      status_code: 502,
      error_label: null,
      origin: 'upstream',
      retryable: true,
      retry_after_seconds: null,
      signal: 'http_5xx',
      cooldown: 'none',
    });
  });

  it('timeout → transient, no cooldown', () => {
    expect(run({ status_code: 0, error_label: 'ETIMEDOUT' })).toEqual({
      type: 'transient',
      status_code: 0,
      error_label: null,
      origin: 'network',
      retryable: true,
      retry_after_seconds: null,
      signal: 'timeout',
      cooldown: 'none',
    });
  });
});

describe('classify: internal 429 shapes', () => {
  it('reads Retry-After from the seed body details when no header carries it', () => {
    expect(run({ status_code: 429, body: seedRateLimitBody })).toMatchObject({ type: 'internal', retry_after_seconds: 60 });
  });

  it('our own envelope naming the daily API limit', () => {
    const body = {
      error: {
        code: 429,
        status: 'Too Many Requests',
        error_label: null,
        message: 'Rate limit exceeded (daily)',
        details: { 'Retry-After': '3600', 'X-RateLimit-Type': 'daily' },
      },
    };
    expect(run({ status_code: 429, body })).toMatchObject({ type: 'internal', signal: 'api_rate_limit', cooldown: 'none' });
  });

  it.each(['/v1/identities', '/v1/workspaces', '/v1/runs/outputs', 'DAILY'])('an X-RateLimit-Type header of %s with an unreadable body', (type) => {
    expect(run({ status_code: 429, headers: { 'X-RateLimit-Type': type }, body: 'Too Many Requests' })).toMatchObject({
      type: 'internal',
      cooldown: 'none',
    });
  });

  it('the message alone ("Rate limit exceeded (…)") when details are missing', () => {
    expect(run({ status_code: 429, body: { error: { code: 429, message: 'Rate limit exceeded (/v1/actions)' } } })).toMatchObject({
      type: 'internal',
    });
  });

  it('the per-IP limit (ip_rate_limited)', () => {
    const body = {
      error: { code: 429, status: 'Too Many Requests', error_label: 'ip_rate_limited', message: 'Too many requests from this address' },
    };
    expect(run({ status_code: 429, headers: { 'retry-after': '12' }, body })).toEqual({
      type: 'internal',
      status_code: 429,
      error_label: null,
      origin: 'api',
      retryable: true,
      retry_after_seconds: 12,
      signal: 'ip_rate_limit',
      cooldown: 'none',
    });
  });

  it('our RATE_LIMITED label', () => {
    expect(run({ status_code: 429, error_label: 'RATE_LIMITED' })).toMatchObject({ type: 'internal', cooldown: 'none' });
  });
});

describe('classify: detected', () => {
  it('LIMIT_REACHED inside the body envelope only', () => {
    const body = JSON.stringify({ error: { code: 429, status: 'Too Many Requests', error_label: 'LIMIT_REACHED', message: 'full' } });
    expect(run({ status_code: 429, body })).toMatchObject({ type: 'detected', error_label: 'LIMIT_REACHED', cooldown: 'none' });
  });

  it('LIMIT_REACHED at the top level of the body', () => {
    expect(run({ status_code: 429, body: { error_label: 'LIMIT_REACHED', status_code: 429 } })).toMatchObject({ type: 'detected' });
  });

  it('an X-RateLimit-Type: smart-limits/… header without a label', () => {
    expect(run({ status_code: 429, headers: { 'X-RateLimit-Type': 'smart-limits/LK_MESSAGES_SENT' } })).toMatchObject({
      type: 'detected',
      error_label: 'LIMIT_REACHED',
    });
  });

  it("our guard's COOLDOWN refusal is not LinkedIn pushback (else a cooldown would feed itself)", () => {
    const body = {
      error: {
        code: 429,
        status: 'Too Many Requests',
        error_label: 'COOLDOWN',
        message: 'identity is cooling down',
        details: { reason: 'RESTRICTED', level: 1, ends_at: '2025-08-07T12:00:00Z' },
      },
    };
    expect(run({ status_code: 429, headers: { 'Retry-After': '172800' }, body })).toEqual({
      type: 'detected',
      status_code: 429,
      error_label: 'COOLDOWN',
      origin: 'smart-limits',
      retryable: true,
      retry_after_seconds: 172800,
      signal: 'guard_cooldown',
      cooldown: 'none',
    });
  });
});

describe('classify: passive', () => {
  it('a bare LinkedIn 429 (HTML page, no label) is a strike', () => {
    expect(run({ status_code: 429, headers: linkedInHeaders, body: '<html><body><h1>Too Many Requests</h1></body></html>' })).toMatchObject({
      type: 'passive',
      error_label: 'STATUS_429',
      origin: 'linkedin',
      cooldown: 'strike',
    });
  });

  it("an empty 429 with LinkedIn's Retry-After", () => {
    expect(run({ status_code: 429, headers: { 'Retry-After': '36000' } })).toMatchObject({
      type: 'passive',
      retry_after_seconds: 36000,
    });
  });

  it('STATUS_429 inside the Edges envelope', () => {
    const body = { error: { code: 429, status: 'Too Many Requests', error_label: 'STATUS_429', message: 'LinkedIn answered 429' } };
    expect(run({ status_code: 429, body })).toMatchObject({ type: 'passive', signal: 'linkedin_429' });
  });

  it('a 429 with a label nobody knows is treated as LinkedIn pushback (the safe side)', () => {
    expect(run({ status_code: 429, error_label: 'SOMETHING_NEW' })).toMatchObject({
      type: 'passive',
      error_label: 'STATUS_429',
      cooldown: 'strike',
    });
  });
});

describe('classify: labels', () => {
  it.each([
    ['limit_reached', 'detected'],
    [' STATUS_429 ', 'passive'],
    ['Custom_Invite_Limit_Reached', 'weekly_limit'],
    ['weekly_limit', 'weekly_limit'],
    ['blocked_antibot', 'antibot'],
    ['challenge', 'challenge'],
    ['restricted', 'restricted'],
    ['auth_expired', 'auth_expired'],
    ['timeout', 'transient'],
    ['econnreset', 'transient'],
  ])('%j is read case-insensitively as %s', (label, type) => {
    expect(run({ status_code: 429, error_label: label }).type).toBe(type);
  });

  it('the error_label field wins over the body envelope', () => {
    const body = { error: { code: 429, error_label: 'LIMIT_REACHED' } };
    expect(run({ status_code: 429, error_label: 'STATUS_429', body }).type).toBe('passive');
  });

  it('a known label decides even with another status (Edges may send a note limit as 400)', () => {
    expect(run({ status_code: 400, error_label: 'CUSTOM_INVITE_LIMIT_REACHED' })).toMatchObject({
      type: 'weekly_limit',
      error_label: 'NOTE_LIMIT',
      status_code: 400,
    });
  });

  it('labels name their own signals (not a status that was not seen)', () => {
    expect(run({ status_code: 403, error_label: 'BLOCKED_ANTIBOT' })).toMatchObject({ type: 'antibot', signal: 'antibot_block' });
    expect(run({ status_code: 403, error_label: 'AUTH_EXPIRED' })).toMatchObject({ type: 'auth_expired', signal: 'session_expired' });
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EAI_AGAIN'])('%s without a status is a network error', (label) => {
    expect(run({ status_code: 0, error_label: label })).toMatchObject({ type: 'transient', origin: 'network', signal: 'network_error' });
  });
});

describe('classify: weekly and note limit wordings', () => {
  it.each([
    "You've reached the weekly invitation limit",
    'YOU’VE REACHED THE WEEKLY INVITATION LIMIT',
    'You’ve reached the weekly limit for connection requests. Try again next week.',
    'weekly_limit',
  ])('weekly: %j', (message) => {
    expect(run({ status_code: 400, body: { message } })).toMatchObject({ type: 'weekly_limit', error_label: 'WEEKLY_LIMIT' });
  });

  it.each(['Cannot resend yet', "You can't resend this invitation yet", 'You can’t resend', 'cannot_resend_yet'])('resend: %j', (message) => {
    expect(run({ status_code: 422, body: message })).toMatchObject({ type: 'weekly_limit', signal: 'cannot_resend_yet' });
  });

  it.each(["You're out of custom invitations for this month", 'You have used all of your personalized invitations', 'CUSTOM_INVITE_LIMIT_REACHED'])(
    'note limit: %j',
    (message) => {
      expect(run({ status_code: 429, body: { message } })).toMatchObject({ type: 'weekly_limit', error_label: 'NOTE_LIMIT' });
    },
  );
});

describe('classify: challenge, restricted, expired session', () => {
  it('a 403 JSON body pointing at a checkpoint', () => {
    const body = { status: 403, redirect: 'https://www.linkedin.com/checkpoint/challenge/AgE?ut=1' };
    expect(run({ status_code: 403, body }).type).toBe('challenge');
  });

  it('a Location to /checkpoint/ without the word challenge', () => {
    expect(run({ status_code: 303, headers: { Location: '/checkpoint/pk/initiate' } }).type).toBe('challenge');
  });

  it('a 4xx security-check page', () => {
    expect(run({ status_code: 403, body: "<h1>Let's do a quick security check</h1>" }).type).toBe('challenge');
  });

  it('a Location on any status counts (a 200 does not: its body is data)', () => {
    expect(run({ status_code: 403, headers: { LOCATION: '/checkpoint/challenge/x' } }).type).toBe('challenge');
  });

  it.each([
    'https://www.linkedin.com/login?fromSignIn=true&trk=guest_homepage',
    '/uas/login?session_redirect=%2Ffeed%2F',
    'https://www.linkedin.com/authwall?trk=bf&sessionRedirect=https%3A%2F%2Fwww.linkedin.com%2Fin%2Fx',
    'https://www.linkedin.com/checkpoint/lg/login?session_redirect=x',
    '/login?redirect=/checkpoint/challenge/x',
  ])('a redirect to the login page %s', (location) => {
    expect(run({ status_code: 302, headers: { location } })).toMatchObject({ type: 'auth_expired', signal: 'login_redirect' });
  });

  it('a 4xx body with the authwall', () => {
    expect(run({ status_code: 403, body: '<a href="https://www.linkedin.com/authwall?trk=x">Sign in</a>' }).type).toBe('auth_expired');
  });

  it.each(['{"message":"This account is temporarily restricted"}', 'Account restriction in place'])('restricted wording %s', (body) => {
    expect(run({ status_code: 400, body }).type).toBe('restricted');
  });

  it('restricted in the Edges envelope label', () => {
    const body = { error: { code: 403, status: 'Forbidden', error_label: 'RESTRICTED', message: 'LinkedIn restricted this account' } };
    expect(run({ status_code: 403, body })).toMatchObject({ type: 'restricted', cooldown: 'restricted' });
  });

  it('the most severe sign wins when a page shows several', () => {
    const body = 'You’ve reached the weekly invitation limit. Your account has been restricted. /checkpoint/challenge/x';
    expect(run({ status_code: 400, body }).type).toBe('challenge');
    expect(run({ status_code: 400, body: body.replace('/checkpoint/challenge/x', '') }).type).toBe('restricted');
  });
});

describe('classify: transient', () => {
  it.each([
    [500, 'http_5xx'],
    [503, 'http_5xx'],
    [504, 'timeout'],
    [408, 'timeout'],
    [0, 'network_error'],
  ])('status %d', (status_code, signal) => {
    expect(run({ status_code })).toMatchObject({ type: 'transient', retryable: true, cooldown: 'none', signal });
  });

  it.each(['TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'])('label %s', (error_label) => {
    expect(run({ status_code: 0, error_label })).toMatchObject({ type: 'transient', signal: 'timeout' });
  });

  it('a 5xx page is not read for warning words (its boilerplate is about the server, not the account)', () => {
    expect(run({ status_code: 500, body: '<p>Something went wrong. restricted challenge /uas/login</p>' }).type).toBe('transient');
  });

  it('our own 503 STORE_UNAVAILABLE', () => {
    const body = { error: { code: 503, status: 'Service Unavailable', error_label: 'STORE_UNAVAILABLE', message: 'Redis unreachable' } };
    expect(run({ status_code: 503, body })).toMatchObject({ type: 'transient', origin: 'api', error_label: 'STORE_UNAVAILABLE' });
  });
});

describe('classify: success and client errors', () => {
  it.each([200, 201, 204, 299])('%d is success', (status_code) => {
    expect(run({ status_code })).toEqual({
      type: 'success',
      status_code,
      error_label: null,
      origin: 'linkedin',
      retryable: false,
      retry_after_seconds: null,
      signal: 'http_2xx',
      cooldown: 'none',
    });
  });

  it('a 2xx body is data: a profile saying "restricted" or "challenge" is still a success', () => {
    const body = { headline: 'I love a challenge', about: 'Restricted stock units, weekly limit of fun, /checkpoint/ yoga' };
    expect(run({ status_code: 200, body }).type).toBe('success');
  });

  it.each([400, 403, 404, 409, 410, 422])('%d without a sign is client_error, no cooldown', (status_code) => {
    expect(run({ status_code, body: { message: 'Profile not found' } })).toMatchObject({
      type: 'client_error',
      origin: 'upstream',
      retryable: false,
      signal: 'http_4xx',
      cooldown: 'none',
    });
  });

  it('a client error keeps the label it came with', () => {
    expect(run({ status_code: 404, error_label: 'PROFILE_NOT_FOUND' }).error_label).toBe('PROFILE_NOT_FOUND');
  });

  it('the API\'s own 403 is not read for warning words ("restricted to premium" must not restrict the identity)', () => {
    const body = {
      error: {
        code: 403,
        status: 'Forbidden',
        error_label: 'NO_VALID_ACCOUNT_CONFIGURED',
        message: 'InMail is restricted to premium accounts',
      },
    };
    expect(run({ status_code: 403, body, action_slug: 'linkedin-send-inmail' })).toMatchObject({
      type: 'client_error',
      origin: 'api',
      error_label: 'NO_VALID_ACCOUNT_CONFIGURED',
      signal: 'api_error',
      cooldown: 'none',
    });
  });

  it("the API's own 401 (a bad API key) is not an expired LinkedIn session", () => {
    const body = { error: { code: 401, status: 'Unauthorized', error_label: 'UNAUTHORIZED', message: 'A valid API key is required' } };
    expect(run({ status_code: 401, body })).toMatchObject({ type: 'client_error', origin: 'api', cooldown: 'none' });
  });
});

describe('classify: unknown shapes fall to unknown, no cooldown, not retryable', () => {
  it.each([
    ['a redirect to an ordinary page', { status_code: 301, headers: { Location: 'https://www.linkedin.com/in/jane-doe/' } }],
    ['a redirect without a Location', { status_code: 302 }],
    ['an informational status', { status_code: 100 }],
    ['an impossible status', { status_code: 600 }],
    ['a negative status', { status_code: -1 }],
    ['a non-number status', { status_code: Number.NaN }],
  ])('%s', (_name, outcome) => {
    expect(run(outcome)).toMatchObject({ type: 'unknown', origin: 'upstream', retryable: false, signal: 'unrecognized', cooldown: 'none' });
  });

  it('keeps the label it came with', () => {
    expect(run({ status_code: 302, error_label: 'ODD' }).error_label).toBe('ODD');
  });

  it.each([
    ['not JSON although it looks like it', '{"error": {"code": 429'],
    ['a JSON array', '[1,2,3]'],
    ['an error that is a string', { error: 'boom' }],
    ['details that are a list', { error: { code: 429, details: ['x'] } }],
    ['null', null],
  ])('a 429 body that is %s is still a LinkedIn 429', (_name, body) => {
    expect(run({ status_code: 429, body: body }).type).toBe('passive');
  });
});

describe('classify: headers', () => {
  it.each(['Retry-After', 'retry-after', 'RETRY-AFTER', 'rEtRy-AfTeR'])('finds %s whatever its case', (name) => {
    expect(run({ status_code: 429, headers: { [name]: '120' } }).retry_after_seconds).toBe(120);
  });

  it('takes the first of a repeated header and accepts numbers', () => {
    expect(run({ status_code: 429, headers: { 'retry-after': ['120', '30'] } }).retry_after_seconds).toBe(120);
    expect(run({ status_code: 429, headers: { 'retry-after': 45 } }).retry_after_seconds).toBe(45);
  });

  it('reads an HTTP date relative to the given now', () => {
    expect(run({ status_code: 429, headers: { 'Retry-After': 'Tue, 05 Aug 2025 14:00:00 GMT' } }).retry_after_seconds).toBe(7200);
  });

  it('gives null for a missing or garbage Retry-After', () => {
    expect(run({ status_code: 429 }).retry_after_seconds).toBeNull();
    expect(run({ status_code: 429, headers: { 'Retry-After': 'later' } }).retry_after_seconds).toBeNull();
  });

  it('the header wins over the body details', () => {
    expect(run({ status_code: 429, headers: { 'Retry-After': '5' }, body: seedRateLimitBody }).retry_after_seconds).toBe(5);
  });

  it('now defaults to the wall clock', () => {
    const inOneHour = new Date(Date.now() + 3600_000).toUTCString();
    const seconds = classify({ status_code: 429, action_slug: connect, headers: { 'Retry-After': inOneHour } }).retry_after_seconds;
    expect(seconds).toBeGreaterThan(3500);
    expect(seconds).toBeLessThanOrEqual(3600);
  });
});

describe('classify: body size', () => {
  // A literal 16 KiB, not the constant, so a changed cap fails here.
  const filler = 'x'.repeat(16 * 1024);

  it('the cap is 16 KiB', () => {
    expect(MAX_SCANNED_BODY_CHARS).toBe(16 * 1024);
  });

  it('scans the first 16 KiB of a string body', () => {
    const body = 'y'.repeat(100) + " You've reached the weekly invitation limit " + filler;
    expect(run({ status_code: 400, body }).type).toBe('weekly_limit');
  });

  it('ignores what comes after 16 KiB', () => {
    expect(run({ status_code: 400, body: filler + " You've reached the weekly invitation limit" }).type).toBe('client_error');
  });

  it('caps an object body the same way', () => {
    expect(run({ status_code: 400, body: { pad: filler, message: 'weekly invitation limit' } }).type).toBe('client_error');
    expect(run({ status_code: 400, body: { message: 'weekly invitation limit', pad: filler } }).type).toBe('weekly_limit');
  });
});
