/** The endpoint groups the seed's tables limit, in the order the tables list them. */
export const ENDPOINT_GROUPS = ['/v1/actions', '/v1/identities', '/v1/workspaces', '/v1/runs/outputs'] as const;
export type EndpointGroup = (typeof ENDPOINT_GROUPS)[number];
