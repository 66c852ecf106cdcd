import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_CATALOG, deepFreeze } from './catalog.data.js';
import {
  ACCOUNT_TYPES,
  LEVELS,
  type AccountType,
  type ActionDefinition,
  type Catalog,
  type LimitDefinition,
  type WarmupConfig,
} from './catalog.types.js';

// A deployer's catalog file (CATALOG_FILE, JSON). By default it extends the shipped catalog: limits
// and actions are added or replaced whole by slug, and the keys it gives under `levels` and `warmup`
// override the defaults' keys. With `"mode": "replace"` its `limits` and `actions` are the whole
// catalog (both required); `levels` and `warmup` still fall back key by key to the defaults, since
// they are policy rather than a list of LinkedIn operations. Any problem stops the boot.

const LIMIT_SLUG_PATTERN = /^[A-Z][A-Z0-9_]{1,63}$/;
const ACTION_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,99}$/;
/** Windows live in Redis sorted sets; a month and a day of slack covers every monthly cap. */
const MAX_WINDOW_SECONDS = 31 * 86_400;

export type CatalogFileMode = 'extend' | 'replace';

const limitSlug = z.string({ error: 'must be a string' }).regex(LIMIT_SLUG_PATTERN, {
  error: `must match ${LIMIT_SLUG_PATTERN.source}`,
});
const actionSlug = z.string({ error: 'must be a string' }).regex(ACTION_SLUG_PATTERN, {
  error: `must match ${ACTION_SLUG_PATTERN.source}`,
});
const windowSeconds = z
  .int({ error: `must be an integer number of seconds from 1 to ${MAX_WINDOW_SECONDS}` })
  .min(1, { error: 'must be at least 1 second' })
  .max(MAX_WINDOW_SECONDS, { error: `must be at most ${MAX_WINDOW_SECONDS} seconds (31 days)` });
const defaultMax = z.int({ error: 'must be an integer ≥ 0' }).min(0, { error: 'must be an integer ≥ 0' });
const positiveInt = z.int({ error: 'must be an integer ≥ 1' }).min(1, { error: 'must be an integer ≥ 1' });
const factor = z.number({ error: 'must be a number > 0' }).gt(0, { error: 'must be > 0' });
const fraction = z.number({ error: 'must be a number in (0, 1]' }).gt(0, { error: 'must be > 0' }).lte(1, { error: 'must be ≤ 1' });

const limitSchema = z.strictObject({
  slug: limitSlug,
  name: z.string({ error: 'must be a string' }).min(1).max(200).optional(),
  description: z.string({ error: 'must be a string' }).max(2000).optional(),
  window_seconds: windowSeconds,
  default_max: z.strictObject(Object.fromEntries(ACCOUNT_TYPES.map((t) => [t, defaultMax])) as Record<AccountType, typeof defaultMax>, {
    error: `must be an object with an integer ≥ 0 for each of ${ACCOUNT_TYPES.join(', ')}`,
  }),
});

const actionSchema = z.strictObject({
  slug: actionSlug,
  limits: z.array(limitSlug, { error: 'must be an array of limit slugs' }).min(1, { error: 'must name at least one limit' }),
  account_types: z
    .array(z.enum(ACCOUNT_TYPES, { error: `must be one of ${ACCOUNT_TYPES.join(', ')}` }), {
      error: 'must be an array of account types',
    })
    .min(1, { error: 'must name at least one account type' }),
  cost_note: z.string({ error: 'must be a string' }).max(500).optional(),
});

const stepsSchema = z
  .array(fraction, { error: 'must be an array of fractions in (0, 1]' })
  .min(1, { error: 'must have at least one step' })
  .refine((s) => s.every((v, i) => i === 0 || v >= s[i - 1]), { error: 'must not decrease' })
  .refine((s) => s[s.length - 1] === 1, { error: 'must end at 1 (full defaults)' });

const catalogFileSchema = z.strictObject(
  {
    mode: z.enum(['extend', 'replace'], { error: 'must be "extend" or "replace"' }).optional(),
    limits: z.array(limitSchema, { error: 'must be an array' }).optional(),
    actions: z.array(actionSchema, { error: 'must be an array' }).optional(),
    levels: z
      .strictObject(Object.fromEntries(LEVELS.map((l) => [l, factor.optional()])) as Record<(typeof LEVELS)[number], z.ZodOptional<typeof factor>>)
      .optional(),
    warmup: z
      .strictObject({
        standard: z.strictObject({ days: positiveInt.optional(), max_window_seconds: windowSeconds.optional() }).optional(),
        cold: z.strictObject({ step_days: positiveInt.optional(), steps: stepsSchema.optional() }).optional(),
        freeze_days_after_pushback: defaultMax.optional(),
        restart_factor_after_restricted: fraction.optional(),
      })
      .optional(),
  },
  { error: 'must be a JSON object' },
);

export interface LoadCatalogOptions {
  /** Named in every error message (the file path). */
  source?: string;
  /** Used when the file has no `mode` key. */
  mode?: CatalogFileMode;
}

export class CatalogFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid catalog file ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CatalogFileError';
  }
}

/**
 * The catalog in force: `defaults` extended or replaced by a parsed catalog file. `content`
 * undefined (no file) returns the defaults. Throws CatalogFileError naming each bad field.
 */
export function loadCatalog(defaults: Catalog, content: unknown, options: LoadCatalogOptions = {}): Catalog {
  const source = options.source ?? 'catalog file';
  if (content === undefined) return defaults;

  const parsed = catalogFileSchema.safeParse(content);
  if (!parsed.success)
    throw new CatalogFileError(
      source,
      parsed.error.issues.flatMap((i) => describeIssue(i, content)),
    );
  const file = parsed.data;
  const mode = file.mode ?? options.mode ?? 'extend';

  const problems: string[] = [];
  if (mode === 'replace') {
    if (!file.limits?.length) problems.push('limits: required (at least one) when "mode" is "replace"');
    if (!file.actions?.length) problems.push('actions: required (at least one) when "mode" is "replace"');
  }
  problems.push(...duplicates('limits', file.limits ?? []), ...duplicates('actions', file.actions ?? []));

  const fileLimits: LimitDefinition[] = (file.limits ?? []).map((l) => ({
    slug: l.slug,
    name: l.name ?? l.slug,
    description: l.description ?? '',
    window_seconds: l.window_seconds,
    default_max: { ...l.default_max },
  }));
  const fileActions: ActionDefinition[] = (file.actions ?? []).map((a) => ({
    slug: a.slug,
    limits: [...a.limits],
    account_types: [...a.account_types],
    ...(a.cost_note !== undefined ? { cost_note: a.cost_note } : {}),
  }));

  const limits = mode === 'replace' ? fileLimits : mergeBySlug(defaults.limits, fileLimits);
  const actions = mode === 'replace' ? fileActions : mergeBySlug(defaults.actions, fileActions);

  const known = new Set(limits.map((l) => l.slug));
  (file.actions ?? []).forEach((a, i) => {
    const where = `actions[${i}] (${a.slug})`;
    a.limits.forEach((slug, k) => {
      if (!known.has(slug)) problems.push(`${where}.limits[${k}]: unknown limit "${slug}"`);
      else if (a.limits.indexOf(slug) !== k) problems.push(`${where}.limits[${k}]: "${slug}" is listed twice`);
    });
    a.account_types.forEach((t, k) => {
      if (a.account_types.indexOf(t) !== k) problems.push(`${where}.account_types[${k}]: "${t}" is listed twice`);
    });
  });
  if (problems.length) throw new CatalogFileError(source, problems);

  const warmup: WarmupConfig = {
    standard: { ...defaults.warmup.standard, ...file.warmup?.standard },
    cold: { ...defaults.warmup.cold, ...file.warmup?.cold, steps: [...(file.warmup?.cold?.steps ?? defaults.warmup.cold.steps)] },
    freeze_days_after_pushback: file.warmup?.freeze_days_after_pushback ?? defaults.warmup.freeze_days_after_pushback,
    restart_factor_after_restricted: file.warmup?.restart_factor_after_restricted ?? defaults.warmup.restart_factor_after_restricted,
  };

  return deepFreeze({ actions, limits, levels: { ...defaults.levels, ...file.levels }, warmup });
}

/** Reads and validates CATALOG_FILE at boot (sync on purpose: nothing runs before the catalog). */
export function readCatalogFile(path: string, defaults: Catalog = DEFAULT_CATALOG): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read catalog file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (err) {
    throw new Error(`Catalog file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return loadCatalog(defaults, content, { source: path });
}

function mergeBySlug<T extends { slug: string }>(base: readonly T[], extra: T[]): T[] {
  const bySlug = new Map(extra.map((e) => [e.slug, e]));
  const merged = base.map((b) => bySlug.get(b.slug) ?? b);
  const baseSlugs = new Set(base.map((b) => b.slug));
  return [...merged, ...extra.filter((e) => !baseSlugs.has(e.slug))];
}

function duplicates(key: string, items: { slug: string }[]): string[] {
  const first = new Map<string, number>();
  const problems: string[] = [];
  items.forEach((item, i) => {
    const seen = first.get(item.slug);
    if (seen === undefined) first.set(item.slug, i);
    else problems.push(`${key}[${i}].slug: duplicate slug "${item.slug}" (also ${key}[${seen}])`);
  });
  return problems;
}

/** `limits[3] (LK_FOO).window_seconds: must be …`, one line per unknown key. */
function describeIssue(issue: z.core.$ZodIssue, content: unknown): string[] {
  const where = formatPath(issue.path, content);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${where ? `${where}.` : ''}${k}: unknown field`);
  }
  return [`${where || '(file)'}: ${issue.message}`];
}

function formatPath(path: readonly PropertyKey[], content: unknown): string {
  let out = '';
  let node: unknown = content;
  for (const seg of path) {
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[seg] : undefined;
    if (typeof seg === 'number') {
      const slug = node !== null && typeof node === 'object' ? (node as { slug?: unknown }).slug : undefined;
      out += `[${seg}]${typeof slug === 'string' ? ` (${slug})` : ''}`;
    } else {
      out += `${out ? '.' : ''}${String(seg)}`;
    }
  }
  return out;
}
