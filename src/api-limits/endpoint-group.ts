export const ENDPOINT_GROUPS = ['/v1/actions', '/v1/identities', '/v1/workspaces', '/v1/runs/outputs'] as const;
export type EndpointGroup = (typeof ENDPOINT_GROUPS)[number];

/**
 * Which endpoint group an authenticated route counts against (SPEC §6): guard, release, outcomes and
 * classification → /v1/actions; other /v1/identities… → /v1/identities; workspace, webhooks, dashboard,
 * tiers, catalog, whoami, run leases → /v1/workspaces. `route` is the route pattern (`/v1/identities/:id`).
 */
export function endpointGroupOf(route: string): EndpointGroup {
  if (/^\/v1\/actions\//.test(route) || /\/(guard|release|outcomes)$/.test(route) || route === '/v1/classify') return '/v1/actions';
  if (route.startsWith('/v1/identities')) return '/v1/identities';
  if (route.startsWith('/v1/runs/') && route.endsWith('/outputs')) return '/v1/runs/outputs';
  return '/v1/workspaces';
}
