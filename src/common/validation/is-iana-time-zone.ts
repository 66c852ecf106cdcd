import { registerDecorator, type ValidationOptions } from 'class-validator';

const zones = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT']);

function isIanaTimeZone(v: unknown): boolean {
  if (typeof v !== 'string' || v.length > 64) return false;
  if (zones.has(v)) return true;
  try {
    // Accepts canonical aliases (e.g. "Asia/Calcutta") that supportedValuesOf omits.
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return v.includes('/') || v === 'UTC';
  } catch {
    return false;
  }
}

export function IsIanaTimeZone(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIanaTimeZone',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an IANA time zone such as Europe/Paris`, ...options },
      validator: { validate: isIanaTimeZone },
    });
}
