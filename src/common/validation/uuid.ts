const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` is a UUID (any version), the shape of every id this service issues. */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}
