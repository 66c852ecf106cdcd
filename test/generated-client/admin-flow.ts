// An operator's flow and a workspace's set-up, written only against types generated from
// /openapi.json and called through openapi-fetch (no casts; compiled with --strict and run
// against the service by test/contract/generated-client.e2e-spec.ts).
import createClient from 'openapi-fetch';
import type { paths } from './openapi.js';

export interface AdminResult {
  workspaceId: string;
  planTier: string;
  customPerMinute: number | null;
  keyNames: (string | null)[];
  revokedKeyRefused: number;
  identityId: string;
  identitiesListed: number;
  levels: { conservative: number; standard: number; aggressive: number };
  dailyLimit: number;
}

export async function setUpWorkspace(baseUrl: string, adminKey: string): Promise<AdminResult & { apiKey: string }> {
  const admin = createClient<paths>({ baseUrl, headers: { 'X-API-Key': adminKey } });

  const created = await admin.POST('/v1/workspaces', { body: { name: 'Generated-client workspace', monthly_credits: 25_000 } });
  if (created.error) throw new Error(`create workspace: ${created.error.error.message}`);
  const workspaceId = created.data.id;
  const apiKey = created.data.api_key;

  const patched = await admin.PATCH('/v1/workspaces/{workspaceId}', {
    params: { path: { workspaceId } },
    body: {
      custom_limits: {
        '/v1/actions': { per_second: 50, per_minute: 1200 },
        '/v1/identities': { per_second: 50, per_minute: 1200 },
        '/v1/workspaces': { per_second: 50, per_minute: 1200 },
        daily_api_limit: 100_000,
      },
    },
  });
  if (patched.error) throw new Error(`custom limits: ${patched.error.error.message}`);
  const customPerMinute = patched.data.custom_limits?.['/v1/actions']?.per_minute ?? null;

  const extra = await admin.POST('/v1/workspaces/{workspaceId}/api-keys', { params: { path: { workspaceId } }, body: { name: 'worker fleet eu' } });
  if (extra.error) throw new Error(`add key: ${extra.error.error.message}`);
  const keys = await admin.GET('/v1/workspaces/{workspaceId}/api-keys', { params: { path: { workspaceId } } });
  if (keys.error) throw new Error(`list keys: ${keys.error.error.message}`);
  const revoked = await admin.DELETE('/v1/workspaces/{workspaceId}/api-keys/{keyId}', { params: { path: { workspaceId, keyId: extra.data.id } } });
  if (revoked.error) throw new Error(`revoke key: ${revoked.error.error.message}`);

  const refused = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${extra.data.api_key}` } });
  const afterRevoke = await refused.GET('/v1/whoami');

  const ws = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });
  const identity = await ws.POST('/v1/identities', {
    body: { external_id: `gen-${workspaceId}`, label: 'Generated client', account_type: 'premium', timezone: 'Europe/Paris', warmup: 'none' },
  });
  if (identity.error) throw new Error(`create identity: ${identity.error.error.message}`);
  const page = await ws.GET('/v1/identities', { params: { query: { limit: 10, status: 'active' } } });
  if (page.error) throw new Error(`list identities: ${page.error.error.message}`);
  const catalog = await ws.GET('/v1/catalog');
  if (catalog.error) throw new Error(`catalog: ${catalog.error.error.message}`);
  const current = await ws.GET('/v1/workspace');
  if (current.error) throw new Error(`workspace: ${current.error.error.message}`);

  return {
    apiKey,
    workspaceId,
    planTier: created.data.plan_tier,
    customPerMinute,
    keyNames: keys.data.data.map((k) => k.name),
    revokedKeyRefused: afterRevoke.response.status,
    identityId: identity.data.id,
    identitiesListed: page.data.data.length,
    levels: catalog.data.levels,
    dailyLimit: current.data.limits.daily_api_limit.value,
  };
}
