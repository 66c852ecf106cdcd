import { type INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  type HeaderObject,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { ERROR_DESCRIPTIONS, ERROR_ENVELOPE_REF } from './api-errors.decorator.js';

/**
 * The OpenAPI document's shared parts: one error schema, the seed's rate-limit body, the response
 * headers, the security schemes. Controllers reference them through the decorators of
 * `api-docs.ts`; `buildOpenApiDocument` adds them to the document Nest scans from the decorators.
 *
 * OpenAPI 3.1: its schemas are JSON Schema 2020-12, so `string | null` is `type: [string, null]`
 * (Nest converts `nullable: true` when the version is 3.1) and validators need no dialect of their own.
 */
const OPENAPI_VERSION = '3.1.0';

const ref = (kind: 'schemas' | 'headers' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const schemaRef = (name: string) => ref('schemas', name);

const ERROR_LABEL_DESCRIPTION =
  'What went wrong, for programs: VALIDATION_FAILED, UNAUTHORIZED, NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, ' +
  "UNSUPPORTED_MEDIA_TYPE, STORE_UNAVAILABLE, INTERNAL_ERROR, and each feature's own (LIMIT_REACHED, COOLDOWN, " +
  "NO_VALID_ACCOUNT_CONFIGURED, WEBHOOK_URL_REFUSED, …). The per-IP limiter's is lower case: ip_rate_limited. " +
  'null when no label applies.';

const SCHEMAS: Record<string, SchemaObject> = {
  ErrorEnvelope: {
    type: 'object',
    description: "Every error (SPEC §8), except the workspace API limiter's 429, which keeps the seed's shape (RateLimitExceeded).",
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'status', 'error_label', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'integer', minimum: 400, maximum: 599, example: 400, description: 'The HTTP status' },
          status: { type: 'string', example: 'Bad Request' },
          error_label: { type: ['string', 'null'], example: 'VALIDATION_FAILED', description: ERROR_LABEL_DESCRIPTION },
          message: { type: 'string' },
          details: {
            type: 'object',
            additionalProperties: true,
            description: 'Machine-readable specifics; on 400 every failing field path → its problems',
            example: { timezone: ['timezone must be an IANA time zone such as Europe/Paris'] },
          },
          error_id: { type: 'string', format: 'uuid', description: 'Only on 500: quote it when reporting; the log carries it' },
        },
      },
    },
  },
  RateLimitExceeded: {
    type: 'object',
    description:
      'A workspace API limit refused the request: the seed\'s body, exactly (no error_label). X-RateLimit-Type names the endpoint group or "daily".',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'status', 'details', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'integer', enum: [429] },
          status: { type: 'string', enum: ['Too Many Requests'] },
          details: {
            type: 'object',
            required: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Reset', 'X-RateLimit-Type'],
            additionalProperties: false,
            properties: {
              'Retry-After': { type: 'string', pattern: '^[1-9][0-9]*$', example: '60' },
              'X-RateLimit-Limit': { type: 'string', pattern: '^[0-9]+$', example: '2' },
              'X-RateLimit-Reset': { type: 'string', pattern: '^[0-9]+$', example: '1754402101' },
              'X-RateLimit-Type': { type: 'string', example: '/v1/actions' },
            },
          },
          message: { type: 'string', example: 'Rate limit exceeded (/v1/actions)' },
        },
      },
    },
  },
  IpRateLimited: {
    description: 'The per-client-IP limit (before authentication) refused the request; its label is lower case.',
    allOf: [
      schemaRef('ErrorEnvelope'),
      { type: 'object', properties: { error: { type: 'object', properties: { error_label: { type: 'string', enum: ['ip_rate_limited'] } } } } },
    ],
  },
};

const integerHeader = (description: string, example: number, minimum = 0): HeaderObject => ({
  description,
  required: true,
  schema: { type: 'integer', minimum, example },
});

/**
 * Response headers, keyed by component name. A header's `required` lives in its component (OpenAPI
 * 3.1 allows no siblings beside a $ref but summary and description), so Retry-After has two: always
 * on a 503, and on a 429 only when some time will do.
 */
const HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': {
    description: "The request id (the caller's own X-Request-Id when it is 1–100 of A-Z a-z 0-9 . _ : -, else a UUID); the log carries it",
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 100 },
  },
  'X-RateLimit-Limit': integerHeader(
    "The limit described: the endpoint group's per-minute bucket; on guard answers the limit that decided; where no workspace limit applied (401, 413, admin routes) the per-IP limit",
    600,
  ),
  'X-RateLimit-Remaining': integerHeader('Requests (or, for a Smart Limit, units) left under that limit', 587),
  'X-RateLimit-Reset': integerHeader('When that limit has room again, in unix seconds', 1754402101),
  'X-RateLimit-Type': {
    description:
      'Which limit: an endpoint group (/v1/actions, /v1/identities, /v1/workspaces, /v1/runs/outputs), daily, smart-limits/<LIMIT_SLUG>, or ip',
    required: true,
    schema: { type: 'string', example: 'smart-limits/LK_INVITATIONS_SENT' },
  },
  RateLimit: {
    description: 'IETF draft-ietf-httpapi-ratelimit-headers-11: the state of every policy that applied, e.g. "minute";r=587;t=2',
    required: true,
    schema: { type: 'string', example: '"minute";r=587;t=2, "second";r=9;t=0, "daily";r=863950;t=40000' },
  },
  'RateLimit-Policy': {
    description: 'IETF draft -11: every policy that applied, e.g. "minute";q=600;w=60',
    required: true,
    schema: { type: 'string', example: '"minute";q=600;w=60, "second";q=10;w=1, "daily";q=864000;w=86400' },
  },
  'Retry-After': integerHeader('Seconds to wait before retrying (rounded up, never 0)', 1, 1),
  'Retry-After-When-Known': {
    description: 'Seconds to wait before retrying (rounded up, never 0); absent when no time will do (e.g. a cooldown a person must clear)',
    schema: { type: 'integer', minimum: 1, example: 60 },
  },
};

const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-RateLimit-Type', 'RateLimit', 'RateLimit-Policy'];

const headerRef = (component: string) => ref('headers', component) as HeaderObject;

/**
 * Headers every answer of an operation carries. The per-IP limiter counts every request except the
 * health routes and /metrics, and the answer always describes a limit (the workspace's once it is
 * known, else the per-IP one), so the rate-limit fields are on every other answer.
 */
function standardHeaders(path: string, status: number): Record<string, HeaderObject> {
  const headers: Record<string, HeaderObject> = { 'X-Request-Id': headerRef('X-Request-Id') };
  if (!isUnlimitedPath(path)) for (const h of RATE_LIMIT_HEADERS) headers[h] = headerRef(h);
  if (status === 503) headers['Retry-After'] = headerRef('Retry-After');
  if (status === 429) headers['Retry-After'] = headerRef('Retry-After-When-Known');
  return headers;
}

/** Paths the per-IP limiter does not count (probes and scrapes must always answer). */
export function isUnlimitedPath(path: string): boolean {
  return path.startsWith('/health/') || path === '/metrics';
}

const SECURITY_SCHEMES = {
  workspace: { type: 'http', scheme: 'bearer', description: 'A workspace API key: Authorization: Bearer <key> (opaque, not a JWT)' },
  workspaceKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same workspace API key in X-API-Key' },
  admin: { type: 'http', scheme: 'bearer', description: 'The operator key (ADMIN_API_KEY): Authorization: Bearer <key>' },
  adminKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The operator key (ADMIN_API_KEY) in X-API-Key' },
} as const;

export interface OpenApiOptions {
  /** The address clients reach the service at (servers[0]). */
  serverUrl: string;
  /**
   * Whether a workspace API limit counts this operation (and so may answer the seed's 429); the
   * endpoint-group classifier decides it, passed in so this module needs no feature's code.
   */
  countedByWorkspaceLimits: (method: string, path: string) => boolean;
}

/** Builds the document Nest scans from the controllers, with the shared components added. */
export function buildOpenApiDocument(app: INestApplication, opts: OpenApiOptions): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle('smart-limits')
    .setDescription(
      'Pre-action guard, cooldowns and workspace API limits that keep LinkedIn identities safe. ' +
        "Errors use one envelope (ErrorEnvelope); a workspace API limit answers 429 in the seed's shape (RateLimitExceeded). " +
        'Every answer carries X-Request-Id and, except the health routes, the X-RateLimit-* and IETF RateLimit fields.',
    )
    .setVersion('0.1.0')
    .setLicense('UNLICENSED (proprietary)', 'https://spdx.org/licenses/')
    .addServer(opts.serverUrl, 'The service that serves this document');
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) builder.addSecurity(name, { ...scheme });
  const config = builder.build();
  config.components = { ...config.components, schemas: { ...SCHEMAS }, headers: { ...HEADERS } };
  const document = SwaggerModule.createDocument(app, config, {
    // Method names are chosen as operation ids (guardAction, listIdentities): generated clients use them.
    operationIdFactory: (_controller: string, method: string) => method,
  });
  forEachOperation(document, (path, op, method) => {
    addAlternativeKeyHeader(op);
    addCrossCuttingResponses(path, op, opts.countedByWorkspaceLimits(method, path));
    closeRequestBody(document, op);
    describeCallbacks(op);
    op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));
  });
  addStandardHeaders(document);
  return document;
}

function oneOrAnyOf(schemas: (SchemaObject | ReferenceObject)[]): SchemaObject | ReferenceObject {
  return schemas.length === 1 ? schemas[0] : { anyOf: schemas };
}

/**
 * Callbacks (the webhook event POST) are requests this service sends: no key of ours secures them
 * (the receiver checks SmartLimits-Signature), and Nest's ApiCallbacks takes no summary.
 */
function describeCallbacks(op: OperationObject): void {
  for (const callback of Object.values(op.callbacks ?? {})) {
    for (const item of Object.values(callback as Record<string, Record<string, OperationObject>>)) {
      for (const method of HTTP_METHODS) {
        const cb = item[method];
        if (!cb) continue;
        cb.summary ??= 'An event, POSTed to the webhook URL (signed with SmartLimits-Signature)';
        cb.security ??= [];
      }
    }
  }
}

/** The validation pipe refuses unknown fields (forbidNonWhitelisted): request bodies say so. */
function closeRequestBody(document: OpenAPIObject, op: OperationObject): void {
  const body = op.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined;
  const name = body?.content?.['application/json']?.schema?.$ref?.replace('#/components/schemas/', '');
  const schema = name ? document.components?.schemas?.[name] : undefined;
  if (schema && 'type' in schema && schema.type === 'object' && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function forEachOperation(document: OpenAPIObject, fn: (path: string, op: OperationObject, method: string) => void): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const op = (item as Record<string, OperationObject | undefined>)[method];
      if (op) fn(path, op, method);
    }
  }
}

/** The auth guards read the key from Authorization: Bearer or X-API-Key alike (extractApiKey). */
function addAlternativeKeyHeader(op: OperationObject): void {
  if (!op.security) return;
  const names = new Set(op.security.flatMap((r: Record<string, string[]>) => Object.keys(r)));
  if (names.has('workspace') && !names.has('workspaceKey')) op.security.push({ workspaceKey: [] });
  if (names.has('admin') && !names.has('adminKey')) op.security.push({ adminKey: [] });
}

const envelope = (status: number, description = ERROR_DESCRIPTIONS[status]): ResponseObject => ({
  description,
  content: { 'application/json': { schema: { ...ERROR_ENVELOPE_REF } } },
});

/**
 * Statuses that come from the layers every route of a kind passes through, documented here once,
 * beside the rule that decides them: the exception filter (500), the auth guards (401), the stores
 * behind them (503), the per-IP limiter and the workspace API limiter (429), and Fastify's body
 * parser and the validation pipe (400, 413, 415). A route's own decorators keep their descriptions.
 */
function addCrossCuttingResponses(path: string, op: OperationObject, counted: boolean): void {
  const responses = op.responses as Record<string, ResponseObject>;
  const add = (status: number, response: ResponseObject) => {
    responses[String(status)] ??= response;
  };
  const security = (op.security ?? []).flatMap((r: Record<string, string[]>) => Object.keys(r));
  const workspace = security.includes('workspace');
  const authenticated = workspace || security.includes('admin');
  const params = (op.parameters ?? []) as ParameterObject[];
  if (op.requestBody) {
    add(400, envelope(400));
    add(413, envelope(413));
    add(415, envelope(415));
  }
  if (params.some((p) => p.in === 'query')) add(400, envelope(400));
  if (params.some((p) => p.in === 'path')) add(404, envelope(404));
  if (authenticated) {
    add(401, envelope(401));
    add(503, envelope(503));
  }
  if (!isUnlimitedPath(path)) {
    const limiters = [schemaRef('IpRateLimited'), ...(counted ? [schemaRef('RateLimitExceeded')] : [])];
    const own = responses['429'];
    const ownSchema = own?.content?.['application/json']?.schema;
    responses['429'] = {
      description: [
        own?.description,
        'Per client IP (before authentication): ip_rate_limited.',
        counted ? "Over a workspace API limit: the seed's body (RateLimitExceeded)." : '',
      ]
        .filter(Boolean)
        .join(' '),
      content: { 'application/json': { schema: oneOrAnyOf([...(ownSchema ? [ownSchema] : []), ...limiters]) } },
    };
  }
  add(500, envelope(500));
}

/** Every response of every operation declares the headers the HTTP layer puts on it (see standardHeaders). */
function addStandardHeaders(document: OpenAPIObject): void {
  forEachOperation(document, (path, op) => {
    for (const [status, response] of Object.entries(op.responses as Record<string, ResponseObject>)) {
      response.headers = { ...standardHeaders(path, Number(status)), ...(response.headers ?? {}) };
    }
  });
}

/** What a serializer needs of a schema; annotations are dropped, anything else stops the boot. */
const SERIALIZED_KEYWORDS = new Set(['type', 'properties', 'items', 'required']);
const ANNOTATIONS = new Set([
  'description',
  'example',
  'format',
  'title',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'deprecated',
  'default',
]);

/**
 * The JSON schema of a documented JSON answer (`$ref`s inlined, annotations dropped), for Fastify to
 * compile its serializer from (fast-json-stringify): the route then writes exactly the documented
 * fields, in the documented order. Structures a plain serializer would get wrong (anyOf, oneOf,
 * allOf, additionalProperties, …) throw instead: such a route keeps JSON.stringify.
 */
export function responseSerializerSchema(document: OpenAPIObject, method: string, fastifyUrl: string, status: string): Record<string, unknown> {
  const path = fastifyUrl.replace(/:(\w+)/g, '{$1}');
  const operation = (document.paths[path] as Record<string, OperationObject> | undefined)?.[method.toLowerCase()];
  const response = operation?.responses[status] as ResponseObject | undefined;
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`OpenAPI: no JSON ${status} answer documented for ${method} ${path}`);
  const resolve = (s: SchemaObject | ReferenceObject, where: string): Record<string, unknown> => {
    if ('$ref' in s) {
      const name = s.$ref.replace('#/components/schemas/', '');
      const target = document.components?.schemas?.[name];
      if (!target) throw new Error(`OpenAPI: ${where} refers to unknown ${s.$ref}`);
      return resolve(target, name);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (ANNOTATIONS.has(k)) continue;
      if (!SERIALIZED_KEYWORDS.has(k)) throw new Error(`OpenAPI: ${where} uses ${k}, which its serializer does not take`);
      if (k === 'properties') {
        out.properties = Object.fromEntries(
          Object.entries(v as Record<string, SchemaObject | ReferenceObject>).map(([p, ps]) => [p, resolve(ps, `${where}.${p}`)]),
        );
      } else if (k === 'items') out.items = resolve(v as SchemaObject | ReferenceObject, `${where}[]`);
      else out[k] = v;
    }
    return out;
  };
  return resolve(schema, `${method} ${path}`);
}
