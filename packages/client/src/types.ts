/**
 * The client's names for the service's wire types, all taken from the generated OpenAPI types
 * (`generated/openapi.ts`), so a change of the service's document shows up here as a type error.
 */
import { type components, type operations } from './generated/openapi.js';

type Schemas = components['schemas'];
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body an operation answers with `status`. */
export type ResponseOf<Op extends keyof operations, Status extends keyof operations[Op]['responses']> = Json<operations[Op]['responses'][Status]>;
/** The JSON body an operation takes. */
export type RequestOf<Op extends keyof operations> = operations[Op] extends { requestBody?: infer R } ? Json<NonNullable<R>> : never;
/** The query parameters of an operation. */
export type QueryOf<Op extends keyof operations> = operations[Op]['parameters'] extends { query?: infer Q } ? NonNullable<Q> : never;

export type GuardResult = Schemas['GuardResponse'];
export type LimitState = Schemas['GuardLimitState'];
export type ReleaseResult = Schemas['ReleaseResponse'];
export type OutcomeResult = Schemas['OutcomeResponse'];
export type Classification = Schemas['ClassificationResponse'];
export type Cooldown = Schemas['CooldownResponse'];
export type CooldownPage = Schemas['CooldownPage'];
export type ManualCooldown = RequestOf<'startCooldown'>;
export type ClearedCooldowns = Schemas['ClearResponse'];
export type IdentityLimits = Schemas['EdgesLimitsResponse'];
export type NextAllowed = ResponseOf<'getNextAllowed', 200>;
export type PlannedActions = ResponseOf<'getIdentitySchedule', 200>;

export type Identity = Schemas['IdentityResponse'];
export type IdentityPage = Schemas['IdentityPage'];
export type CreateIdentity = RequestOf<'createIdentity'>;
export type UpdateIdentity = RequestOf<'updateIdentity'>;
export type IdentityListQuery = QueryOf<'listIdentities'>;
export type IdentityHealth = ResponseOf<'getIdentityHealth', 200>;

export type Catalog = ResponseOf<'getCatalog', 200>;
export type Readiness = ResponseOf<'getReadiness', 200>;

export type InvitationStatus = Schemas['ReportInvitationDto']['status'];
export type InvitationReport = Schemas['ReportInvitationResponse'];
export type InvitationSummary = Schemas['InvitationSummaryResponse'];
export type PendingSync = Schemas['ReconcileInvitationsResponse'];

export type Webhook = Schemas['WebhookResponse'];
export type CreatedWebhook = Schemas['CreatedWebhookResponse'];
export type CreateWebhook = RequestOf<'createWebhook'>;
export type WebhookList = Schemas['WebhookList'];
export type WebhookTestResult = Schemas['TestEventResponse'];
export type DeliveryPage = Schemas['DeliveryPage'];
export type Delivery = Schemas['DeliveryResponse'];
export type WebhookEvent = Schemas['WebhookEventPayload'];
