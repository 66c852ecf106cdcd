import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';

/**
 * Checks a real answer against the OpenAPI 3.1 document the service serves: the status is
 * documented for that operation, the body matches its schema (formats checked), and every header the
 * document marks required is present and well-formed. Used by the test-app helper on every answer
 * of every integration test, so a drift between the code and the document fails the day it appears.
 */

// ajv-formats is CommonJS with a default export; under ESM its function sits on `.default`.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown>; headers?: Record<string, Header>; responses?: Record<string, Response> };
}
interface Operation {
  operationId?: string;
  responses: Record<string, Response | Ref>;
}
interface Response {
  description: string;
  headers?: Record<string, Header | Ref>;
  content?: Record<string, { schema?: unknown }>;
}
interface Header {
  required?: boolean;
  schema?: { type?: string | string[] };
}
interface Ref {
  $ref: string;
}

export interface ObservedAnswer {
  method: string;
  /** Path and query as requested. */
  url: string;
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | string[] | number | undefined>;
  /** The body as sent (text); undefined for none, null when it cannot be read here (a stream). */
  body: string | undefined | null;
}

/** Served by the service but not part of the API the document describes. */
const OUTSIDE_THE_API = [/^\/docs(\/|$)/, /^\/openapi\.(json|yaml)$/, /^\/dashboard(\/|$)/, /^\/favicon\.ico$/];

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Prepares a schema of the document for Ajv: references point into the registered components, and
 * an object that lists its properties without saying whether others may appear is closed
 * (`additionalProperties: false`), so a field the service sends but the document does not name is a
 * drift too (a generated client would not see it). Parts of an `allOf` stay open: they describe
 * one object together.
 */
function prepare(node: unknown, inAllOf = false): unknown {
  if (Array.isArray(node)) return node.map((n) => prepare(n, inAllOf));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/components/schemas/', 'openapi#/$defs/');
    else if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, prepare(sub, inAllOf)]));
    } else out[k] = prepare(v, inAllOf || k === 'allOf');
  }
  if (!inAllOf && out.properties && out.additionalProperties === undefined && out.patternProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

export class OpenApiResponseValidator {
  private readonly ajv: Ajv2020;
  private readonly routes: { regex: RegExp; path: string; literalSegments: number }[];
  private readonly compiled = new Map<unknown, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument) {
    if (!doc.openapi.startsWith('3.1')) throw new Error(`expected an OpenAPI 3.1 document, got ${doc.openapi}`);
    // Strict: a keyword the 2020-12 dialect does not know (e.g. a leftover `nullable`) is an error.
    this.ajv = new Ajv2020({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // OpenAPI's own annotation keywords beside JSON Schema's.
    this.ajv.addVocabulary(['example', 'xml', 'externalDocs', 'discriminator']);
    this.ajv.addSchema({ $id: 'openapi', $defs: prepare(doc.components?.schemas ?? {}) as object });
    this.routes = Object.keys(doc.paths)
      .map((path) => ({
        path,
        regex: new RegExp('^' + path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
        literalSegments: path.split('/').filter((s) => s && !s.startsWith('{')).length,
      }))
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  private validatorFor(schema: unknown): ValidateFunction {
    let v = this.compiled.get(schema);
    if (!v) {
      v = this.ajv.compile(prepare(schema) as object);
      this.compiled.set(schema, v);
    }
    return v;
  }

  private deref<T>(x: T | Ref): T {
    if (x && typeof x === 'object' && '$ref' in x) {
      const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(x.$ref) ?? [];
      const target = (this.doc.components as Record<string, Record<string, unknown>> | undefined)?.[kind]?.[name];
      if (!target) throw new Error(`unresolved ${x.$ref}`);
      return this.deref(target as T | Ref);
    }
    return x;
  }

  /** Problems with one answer; empty when it matches the document. */
  check(a: ObservedAnswer): string[] {
    const path = a.url.split('?')[0];
    if (OUTSIDE_THE_API.some((r) => r.test(path))) return [];
    const where = `${a.method} ${path} → ${a.status}`;
    const route = this.routes.find((r) => r.regex.test(path));
    const method = a.method.toLowerCase();
    const op = route && HTTP_METHODS.has(method) ? this.doc.paths[route.path][method] : undefined;
    if (!op) {
      // No such operation: the only documented answers are errors in the envelope (404, 429 …).
      if (a.status < 400) return [`${where}: answered ${a.status} on a route the document does not have`];
      return this.checkBody(
        where,
        { description: 'no such route', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } },
        a,
      );
    }
    const name = `${op.operationId ?? `${a.method} ${route!.path}`} (${where})`;
    const raw = op.responses[String(a.status)] ?? op.responses[`${String(a.status)[0]}XX`] ?? op.responses.default;
    if (!raw) return [`${name}: status ${a.status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`];
    const response = this.deref(raw);
    return [...this.checkHeaders(name, response, a), ...this.checkBody(name, response, a)];
  }

  private checkHeaders(name: string, response: Response, a: ObservedAnswer): string[] {
    const problems: string[] = [];
    for (const [header, raw] of Object.entries(response.headers ?? {})) {
      const h = { ...this.deref(raw), ...(raw as Header) };
      const value = a.headers[header.toLowerCase()];
      if (value === undefined) {
        if (h.required) problems.push(`${name}: required header ${header} is missing`);
        continue;
      }
      if (!h.schema) continue;
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      const types = ([] as string[]).concat(h.schema.type ?? []);
      const parsed = types.includes('integer') || types.includes('number') ? (/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text) : text;
      const v = this.validatorFor(h.schema);
      if (!v(parsed)) problems.push(`${name}: header ${header}: ${JSON.stringify(text)} ${this.ajv.errorsText(v.errors)}`);
    }
    return problems;
  }

  private checkBody(name: string, response: Response, a: ObservedAnswer): string[] {
    const contentType = String(a.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (a.body === null) return [];
    const content = response.content ?? {};
    const empty = a.body === undefined || a.body === '';
    if (!Object.keys(content).length) return empty ? [] : [`${name}: a body is sent but none is documented`];
    if (empty) return [`${name}: no body, but ${Object.keys(content).join(', ')} is documented`];
    const media = content[contentType] ?? content[contentType.replace(/\/.*/, '/*')] ?? content['*/*'];
    if (!media) return [`${name}: content type ${contentType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`];
    if (!media.schema) return [];
    let value: unknown = a.body;
    if (contentType === 'application/json' || contentType.endsWith('+json')) {
      try {
        value = JSON.parse(a.body!);
      } catch {
        return [`${name}: the body is not JSON`];
      }
    }
    const v = this.validatorFor(media.schema);
    if (v(value)) return [];
    return [
      `${name}: the body does not match its schema: ${this.ajv.errorsText(v.errors, { dataVar: 'body', separator: '; ' })}\n  body: ${a.body!.slice(0, 600)}`,
    ];
  }
}
