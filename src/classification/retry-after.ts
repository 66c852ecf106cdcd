// RFC 9110 §10.2.3: delay-seconds or an HTTP-date. Dates start with a day name in all three
// HTTP-date forms; requiring one keeps Date.parse's leniency ("12", "2024") from reading numbers
// or junk as dates.
const DELAY_SECONDS = /^\d+(?:\.\d+)?$/;
const HTTP_DATE = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/**
 * Seconds to wait, rounded up (waiting exactly that long must be enough); 0 for a date already
 * past; null when absent or unreadable (negative numbers, junk, impossible dates).
 */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (DELAY_SECONDS.test(text)) {
    const seconds = Math.ceil(Number(text));
    return Number.isSafeInteger(seconds) ? seconds : null;
  }
  if (!HTTP_DATE.test(text)) return null;
  // asctime dates carry no zone; HTTP dates are GMT, while Date.parse would read them as local time.
  const at = Date.parse(/(?:gmt|utc|[+-]\d{4})$/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
