import { ApiError } from './api-error.js';
import { CommonErrorLabel } from './error-labels.js';

export type Store = 'redis' | 'postgres';

/*
 * The one owner of store-error recognition: which errors mean "Redis or PostgreSQL cannot serve us
 * right now" (503 STORE_UNAVAILABLE, retryable) as opposed to a bug (a Lua error reply such as
 * `ERR user_script:…`, a bad script reply, a TypeError, an SQL error: a logged 500 with an error_id).
 *
 * Duck-typed, not `instanceof`: socket errors come from Node's core, whose Error is another realm's
 * under a VM sandbox (Jest), and they must still be recognised.
 */

/** ioredis: the connection is down, closing, not ready, or a command timed out. */
const IOREDIS_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const IOREDIS_MESSAGES =
  /^Connection is closed\.?$|Stream isn't writeable|enableOfflineQueue options is false|^Command timed out$|Failed to refresh slots cache|None of startup nodes is available|Too many Cluster redirections|Reached the max retries per request limit|^Cluster is disconnect(ed|ing)|^Node is disconnected|^Socket timeout\. Expecting data/i;
/** Redis error replies that say the server cannot serve now (a failover, a load, a busy script). */
const REDIS_UNAVAILABLE_REPLY = /^(CLUSTERDOWN|LOADING|MASTERDOWN|TRYAGAIN|BUSY|READONLY) /;

/** pg: SQLSTATE class 08 (connection exception), shutdown / cannot connect now, too many connections. */
const PG_UNAVAILABLE_CODE = /^(08\w{3}|57P01|57P02|57P03|53300)$/;
/** pg / pg-pool: the connection dropped or could not be had in time. */
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|the database system is (starting|shutting) up|terminating connection due to administrator command/i;

/** A socket that could not connect or broke. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  driverError?: unknown;
  errors?: unknown;
}

function own(err: ErrorLike): Store | null {
  const name = typeof err.name === 'string' ? err.name : '';
  const msg = typeof err.message === 'string' ? err.message : '';
  const code = typeof err.code === 'string' ? err.code : '';
  if (IOREDIS_NAMES.has(name) || IOREDIS_MESSAGES.test(msg)) return 'redis';
  if (name === 'ReplyError' && REDIS_UNAVAILABLE_REPLY.test(msg)) return 'redis';
  if (PG_UNAVAILABLE_CODE.test(code) || PG_MESSAGES.test(msg)) return 'postgres';
  if (SOCKET_CODES.has(code)) {
    // ioredis never hands a raw socket error to a command (it answers "Connection is closed" or
    // "Stream isn't writeable"); pg does, when it cannot connect. A Redis port in the message says otherwise.
    return /:6379\b|redis/i.test(msg) ? 'redis' : 'postgres';
  }
  return null;
}

/**
 * The store that failed, when `err` is a real store failure (connection refused / closed / reset,
 * command timeout, cluster down, pool timeout), else null. Looks through wrappers (`cause`,
 * TypeORM's `driverError`, an AggregateError's `errors`) and recognises an ApiError that already says
 * STORE_UNAVAILABLE.
 */
export function storeOfError(err: unknown, depth = 0): Store | null {
  if (typeof err !== 'object' || err === null || depth > 4) return null;
  if (err instanceof ApiError) {
    const store = (err.details as { store?: unknown } | undefined)?.store;
    return err.status === 503 && err.errorLabel === CommonErrorLabel.STORE_UNAVAILABLE && (store === 'redis' || store === 'postgres') ? store : null;
  }
  const e = err as ErrorLike;
  const found = own(e);
  if (found) return found;
  for (const inner of [e.cause, e.driverError, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])]) {
    const store = storeOfError(inner, depth + 1);
    if (store) return store;
  }
  return null;
}

/**
 * For catch blocks: a store failure becomes ApiError 503 STORE_UNAVAILABLE; anything else comes back
 * unchanged, to be rethrown (the global filter logs it as a 500 with an error_id).
 */
export function storeUnavailableOr(err: unknown): unknown {
  const store = storeOfError(err);
  return store && !(err instanceof ApiError) ? ApiError.storeUnavailable(store) : err;
}
