import { describe, expect, it } from '@jest/globals';
import { endpointGroupFor } from './endpoint-group.js';

describe('endpointGroupFor', () => {
  it.each([
    // guard, release, outcomes, auto mode, classification → /v1/actions
    ['POST', '/v1/identities/:identityId/actions/:actionSlug/guard', '/v1/actions'],
    ['POST', '/v1/identities/7f0c/actions/linkedin-visit-profile/guard', '/v1/actions'],
    ['POST', '/v1/identities/7f0c/actions/linkedin-visit-profile/release', '/v1/actions'],
    ['POST', '/v1/identities/7f0c/outcomes', '/v1/actions'],
    ['POST', '/v1/actions/linkedin-connect-profile/guard', '/v1/actions'],
    ['POST', '/v1/classify', '/v1/actions'],
    // every other identity route → /v1/identities
    ['POST', '/v1/identities', '/v1/identities'],
    ['GET', '/v1/identities?limit=10&mode=engagement', '/v1/identities'],
    ['GET', '/v1/identities/7f0c', '/v1/identities'],
    ['PATCH', '/v1/identities/7f0c', '/v1/identities'],
    ['DELETE', '/v1/identities/7f0c', '/v1/identities'],
    ['GET', '/v1/identities/7f0c/limits', '/v1/identities'],
    ['GET', '/v1/identities/7f0c/actions/linkedin-visit-profile/limits', '/v1/identities'],
    ['GET', '/v1/identities/7f0c/health', '/v1/identities'],
    ['GET', '/v1/identities/7f0c/activity?window=24h', '/v1/identities'],
    ['GET', '/v1/identities/7f0c/cooldowns', '/v1/identities'],
    ['POST', '/v1/identities/7f0c/cooldowns/clear', '/v1/identities'],
    // an identity whose id is "guard" is still an identity read
    ['GET', '/v1/identities/guard', '/v1/identities'],
    ['GET', '/v1/identities/outcomes', '/v1/identities'],
    ['GET', '/v1/identities/7f0c/outcomes/export', '/v1/identities'],
    ['GET', '/v1/identities/7f0c/actions/guard/limits', '/v1/identities'],
    ['POST', '/v1/identities/7f0c/actions/x/guard/extra', '/v1/identities'],
    // workspace-level routes → /v1/workspaces
    ['GET', '/v1/workspace', '/v1/workspaces'],
    ['GET', '/v1/workspace/', '/v1/workspaces'],
    ['POST', '/v1/webhooks', '/v1/workspaces'],
    ['GET', '/v1/webhooks/abc/deliveries', '/v1/workspaces'],
    ['POST', '/v1/webhooks/abc/test', '/v1/workspaces'],
    ['DELETE', '/v1/webhooks/abc', '/v1/workspaces'],
    ['GET', '/v1/dashboard?limit=20', '/v1/workspaces'],
    ['GET', '/v1/tiers', '/v1/workspaces'],
    ['GET', '/v1/catalog', '/v1/workspaces'],
    ['GET', '/v1/whoami', '/v1/workspaces'],
    // run outputs (served by the platform; named for the gateway)
    ['GET', '/v1/runs/run_1/outputs', '/v1/runs/outputs'],
  ])('%s %s → %s', (method, path, group) => {
    expect(endpointGroupFor(method, path)).toBe(group);
  });

  it.each([
    // ops and unauthenticated
    ['GET', '/health/live'],
    ['GET', '/health/ready'],
    ['GET', '/metrics'],
    ['GET', '/docs'],
    ['GET', '/docs/static/index.html'],
    ['GET', '/openapi.json'],
    ['GET', '/dashboard'],
    ['GET', '/dashboard/app.js'],
    ['GET', '/'],
    ['GET', '/v1'],
    ['OPTIONS', '/v1/identities'],
    // admin (operator key, no workspace)
    ['POST', '/v1/workspaces'],
    ['GET', '/v1/workspaces/ws1'],
    ['PATCH', '/v1/workspaces/ws1'],
    ['POST', '/v1/workspaces/ws1/api-keys'],
    ['DELETE', '/v1/workspaces/ws1/api-keys/k1'],
    // charged elsewhere: the check charges the endpoint in its body; leases are gateway bookkeeping
    ['POST', '/v1/ratelimit/check'],
    ['POST', '/v1/runs'],
    ['POST', '/v1/runs/run_1/heartbeat'],
    ['DELETE', '/v1/runs/run_1'],
    // unknown routes
    ['GET', '/v1/nothing-here'],
    ['GET', '/v2/identities'],
    ['GET', '/v1/identitiesx'],
  ])('%s %s → none', (method, path) => {
    expect(endpointGroupFor(method, path)).toBeNull();
  });

  it('ignores the method case', () => {
    expect(endpointGroupFor('post', '/v1/identities/a/outcomes')).toBe('/v1/actions');
    expect(endpointGroupFor('options', '/v1/tiers')).toBeNull();
  });
});
