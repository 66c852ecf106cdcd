import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { afterEach } from '@jest/globals';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import { type Clock } from '../../src/common/clock.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { type OpenApiDocument, OpenApiResponseValidator } from './openapi-validator.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
const RUN_PREFIX = `t${randomBytes(3).toString('hex')}`;

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  config: AppConfig;
  request<T = any>(
    method: string,
    path: string,
    opts?: { key?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<HttpResult<T>>;
  admin<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  close(): Promise<void>;
}

/**
 * Every answer of every test app is checked against the OpenAPI document the app serves (status
 * documented, body matching its schema with formats, required headers present). A mismatch fails
 * the request that got it (`request` throws) and, for answers to other clients (the client
 * package, a browser), the test that was running (the afterEach below).
 */
const contractProblems: string[] = [];
afterEach(() => {
  if (contractProblems.length) {
    const problems = contractProblems.splice(0);
    throw new Error(`Answers that do not match /openapi.json:\n${problems.join('\n')}`);
  }
});

function payloadText(payload: unknown): string | undefined | null {
  if (payload === null || payload === undefined) return undefined;
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return null;
}

/**
 * The document as the app serves it. Fetched from another loopback address (127.0.0.2) so the
 * per-IP limiter does not count it against the tests' own client (127.0.0.1).
 */
function servedDocument(baseUrl: string): Promise<OpenApiDocument> {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${baseUrl}/openapi.json`, { localAddress: '127.0.0.2' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as OpenApiDocument);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('error', reject);
  });
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  redisUrl?: string;
  databaseUrl?: string;
  logDestination?: NodeJS.WritableStream;
  /** Same prefix = same Redis state; two instances of one test share it. */
  keyPrefix?: string;
}

export function testConfig(opts: TestAppOptions = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    ...(opts.env?.REDIS_CLUSTER_NODES ? {} : { REDIS_URL: opts.redisUrl ?? process.env.SL_TEST_REDIS_URL }),
    DATABASE_URL: opts.databaseUrl ?? process.env.SL_TEST_DATABASE_URL,
    ADMIN_API_KEY: ADMIN_KEY,
    REDIS_KEY_PREFIX: opts.keyPrefix ?? RUN_PREFIX,
    LOG_LEVEL: process.env.SL_TEST_LOG_LEVEL ?? 'silent',
    JOBS_ENABLED: 'false',
    ...opts.env,
  });
}

/** Starts the real application on a real socket (Fastify's inject cannot load the ESM deps under Jest). */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(opts);
  const app = await createApp(config, { clock: opts.clock, logDestination: opts.logDestination });
  let validator: OpenApiResponseValidator | undefined;
  const problemsByRequest = new Map<string, string[]>();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (req, reply, payload) => {
      if (!validator) return payload;
      const problems = validator.check({
        method: req.method,
        url: req.url,
        status: reply.statusCode,
        headers: reply.getHeaders(),
        body: payloadText(payload),
      });
      if (problems.length) {
        problemsByRequest.set(req.id, problems);
        contractProblems.push(...problems);
      }
      return payload;
    });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  validator = new OpenApiResponseValidator(await servedDocument(baseUrl));
  const request: TestApp['request'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, body });
    const text = await res.text();
    const id = res.headers.get('x-request-id');
    const problems = id ? problemsByRequest.get(id) : undefined;
    if (problems) {
      problemsByRequest.delete(id!);
      for (const p of problems) contractProblems.splice(contractProblems.indexOf(p), 1);
      throw new Error(`${method} ${path} answered ${res.status}, which does not match /openapi.json:\n${problems.join('\n')}`);
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed as never, text };
  };
  return {
    app,
    baseUrl,
    config,
    request,
    admin: (method, path, body) => request(method, path, { key: ADMIN_KEY, body }),
    close: () => app.close(),
  };
}

/** Generous negotiated limits, so tests about other things are not slowed by the tier's API limits. */
const ROOMY_LIMITS = {
  '/v1/actions': { per_second: 100_000, per_minute: 1_000_000 },
  '/v1/identities': { per_second: 100_000, per_minute: 1_000_000 },
  '/v1/workspaces': { per_second: 100_000, per_minute: 1_000_000 },
  '/v1/runs/outputs': { per_second: 100_000, per_minute: 1_000_000 },
  daily_api_limit: 1_000_000_000,
};

/** A workspace with roomy API limits, unless `tierLimits` asks for the tier tables' own. */
export async function createWorkspace(t: TestApp, values: { name?: string; monthly_credits?: number; tierLimits?: boolean } = {}) {
  const r = await t.admin('POST', '/v1/workspaces', { name: values.name ?? 'Test workspace', monthly_credits: values.monthly_credits ?? 1000 });
  if (r.status !== 201) throw new Error(`createWorkspace: ${r.status} ${r.text}`);
  if (!values.tierLimits) {
    const p = await t.admin('PATCH', `/v1/workspaces/${r.body.id}`, { custom_limits: ROOMY_LIMITS });
    if (p.status !== 200) throw new Error(`createWorkspace limits: ${p.status} ${p.text}`);
  }
  return r.body as { id: string; name: string; monthly_credits: number; plan_tier: string; api_key: string };
}

let seq = 0;
export async function createIdentity(t: TestApp, key: string, values: Record<string, unknown> = {}) {
  const r = await t.request('POST', '/v1/identities', {
    key,
    body: { external_id: `ext-${Date.now().toString(36)}-${seq++}`, warmup: 'none', ...values },
  });
  if (r.status !== 201) throw new Error(`createIdentity: ${r.status} ${r.text}`);
  return r.body as Record<string, any> & { id: string };
}
