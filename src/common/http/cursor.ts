import { ApiError } from '../errors/api-error.js';

/**
 * The opaque `cursor` of every keyset-paged list: `<kind>:<payload>` in base64url. The kind keeps a
 * cursor of one list from being accepted by another; `parse` checks the payload and returns what
 * the query needs, or null when it is not one this API issued (a 400, never a 500).
 */
export function encodeCursor(kind: string, payload: string): string {
  return Buffer.from(`${kind}:${payload}`).toString('base64url');
}

export function decodeCursor<T>(cursor: string, kind: string, parse: (payload: string) => T | null): T {
  const raw = Buffer.from(cursor, 'base64url').toString();
  const parsed = raw.startsWith(`${kind}:`) ? parse(raw.slice(kind.length + 1)) : null;
  if (parsed === null) throw ApiError.badRequest('Invalid cursor', { cursor: ['not a cursor returned by this API'] });
  return parsed;
}
