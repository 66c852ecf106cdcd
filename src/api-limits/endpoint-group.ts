import { type EndpointGroup } from '../tiers/endpoint-groups.js';

// Route heads (the segment after /v1) that are workspace-level reads and settings. SPEC §6 names
// /v1/workspace… and /v1/webhooks…; dashboard, tiers, catalog and whoami are the same kind of
// "workspace info" call (the seed's /v1/workspaces group), so they share its budget.
const WORKSPACE_HEADS = new Set(['workspace', 'webhooks', 'dashboard', 'tiers', 'catalog', 'whoami']);

/**
 * Which endpoint group an API request is charged to (SPEC §6), or null when it is charged to none.
 * `path` may be a concrete path (query string allowed) or a route pattern (`/v1/identities/:id`).
 *
 * - guard and release (`/v1/identities/:id/actions/:slug/guard|release`), outcomes
 *   (`/v1/identities/:id/outcomes`), auto mode (`/v1/actions/:slug/guard`, any `/v1/actions…`) and
 *   `/v1/classify` (the outcomes body, classification only: part of the same worker loop) → `/v1/actions`;
 * - every other `/v1/identities…` route, limit reads included → `/v1/identities`;
 * - `/v1/workspace…`, `/v1/webhooks…`, `/v1/dashboard`, `/v1/tiers`, `/v1/catalog`, `/v1/whoami` → `/v1/workspaces`;
 * - `/v1/runs/:id/outputs` → `/v1/runs/outputs`.
 *
 * null:
 * - ops and unauthenticated routes (`/health…`, `/metrics`, `/docs…`, `/openapi.json`, the `/dashboard`
 *   page, CORS preflights) and admin routes (`/v1/workspaces…`, plural: the operator's key, no workspace);
 * - `/v1/ratelimit/check`: it charges the endpoint named in its body, so charging the call too
 *   would count one customer request twice (PITFALLS 10);
 * - run leases (`POST /v1/runs`, `…/heartbeat`, `DELETE /v1/runs/:id`): gateway bookkeeping for an
 *   async run the gateway already charged through the check, bounded by concurrent runs and the
 *   lease TTL; a refused heartbeat would drop a running run's slot;
 * - unknown routes (nothing to charge; they answer 404).
 */
export function endpointGroupFor(method: string, path: string): EndpointGroup | null {
  if (method.toUpperCase() === 'OPTIONS') return null;
  const segments = path
    .split(/[?#]/, 1)[0]
    .split('/')
    .filter((s) => s !== '');
  if (segments[0] !== 'v1' || segments.length < 2) return null;
  const [, head, ...rest] = segments;
  switch (head) {
    case 'identities': {
      const isGuardOrRelease = rest.length === 4 && rest[1] === 'actions' && (rest[3] === 'guard' || rest[3] === 'release');
      const isOutcomes = rest.length === 2 && rest[1] === 'outcomes';
      return isGuardOrRelease || isOutcomes ? '/v1/actions' : '/v1/identities';
    }
    case 'actions':
    case 'classify':
      return '/v1/actions';
    case 'runs':
      return rest.length === 2 && rest[1] === 'outputs' ? '/v1/runs/outputs' : null;
    default:
      return WORKSPACE_HEADS.has(head) ? '/v1/workspaces' : null;
  }
}
