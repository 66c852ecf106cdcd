import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type Params } from 'nestjs-pino';
import { type AppConfig } from '../../config/app-config.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Fastify's request id: the caller's X-Request-Id when sane, else a UUID (pino-http reads the same). */
export function requestIdFor(raw: IncomingMessage): string {
  const given = raw.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  raw.headers['x-request-id'] = id;
  return id;
}

export function loggerParams(config: AppConfig, destination?: NodeJS.WritableStream): Params {
  // Only pino's own options: pino-http's middleware does not run under Fastify here (app.factory.ts
  // writes the one request line from Fastify's onResponse hook), so its request options (genReqId,
  // serializers, autoLogging, customLogLevel) would be dead, and if it ever ran it would log each request twice.
  const options = {
    level: config.logLevel,
    // Secrets never reach the log: keys, admin key, webhook secrets, cookies.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.api_key',
        '*.secret',
        '*.adminApiKey',
      ],
      censor: '[redacted]',
    },
  } as NonNullable<Params['pinoHttp']>;
  if (destination) return { pinoHttp: [options, destination] as unknown as Params['pinoHttp'] };
  // A person at a terminal reads lines, not JSON: pino-pretty formats them (in a worker thread).
  const pretty = { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } };
  return { pinoHttp: prettyLogs(config) ? { ...options, transport: pretty } : options };
}

/** Pretty lines only for a person: stdout is a terminal, and never in production (log collectors read JSON). */
export function prettyLogs(config: AppConfig, stdout: { isTTY?: boolean } = process.stdout): boolean {
  return stdout.isTTY === true && config.nodeEnv !== 'production';
}

/** The `error_label` of an error body in the envelope of SPEC §8 (null for other bodies, e.g. the seed's 429). */
export function errorLabelOf(payload: unknown): string | null {
  if (typeof payload !== 'string' || payload.length > 65_536 || !payload.startsWith('{')) return null;
  try {
    const label = (JSON.parse(payload) as { error?: { error_label?: unknown } }).error?.error_label;
    return typeof label === 'string' ? label : null;
  } catch {
    return null;
  }
}
