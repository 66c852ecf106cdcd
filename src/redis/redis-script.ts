import { readFileSync } from 'node:fs';
import { type ChainableCommander, type RedisCommander } from 'ioredis';
import { type RedisClient } from './redis.tokens.js';

/**
 * The one way Lua reaches Redis. Beside every `<name>.lua` sits `<name>.script.ts`, which declares
 * the ioredis command (a `declare module 'ioredis'` block), builds the script's KEYS and ARGV from a
 * typed input, and decodes the reply into a checked type. Registration is `defineCommand`: EVALSHA,
 * falling back to EVAL after NOSCRIPT (a Redis restart or failover, PITFALLS 5).
 *
 * A reply of the wrong length or shape throws ScriptReplyError: not a store failure, so the global
 * filter answers a logged 500 with an error_id (never garbage, never a 503).
 */

/** A script's reply did not have the shape its decoder expects (a bug, not an outage). */
export class ScriptReplyError extends Error {
  constructor(
    readonly script: string,
    detail: string,
    readonly reply: unknown,
  ) {
    super(`${script}: unexpected reply (${detail})`);
    this.name = 'ScriptReplyError';
  }
}

/** A shared piece of Lua (local functions), prepended to the scripts that include it. */
export interface LuaInclude {
  readonly name: string;
  readonly source: string;
  /** Includes this one calls; composed before it. */
  readonly requires: readonly LuaInclude[];
}

export function luaInclude(file: URL, requires: readonly LuaInclude[] = []): LuaInclude {
  return { name: file.pathname, source: readFileSync(file, 'utf8'), requires };
}

/**
 * The one place scripts are composed: the includes (each once, its own requirements first), then the
 * script's body. Redis sees one self-contained script per command.
 */
export function composeLua(body: URL, includes: readonly LuaInclude[] = []): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  const add = (inc: LuaInclude) => {
    if (seen.has(inc.name)) return;
    seen.add(inc.name);
    inc.requires.forEach(add);
    parts.push(inc.source);
  };
  includes.forEach(add);
  parts.push(readFileSync(body, 'utf8'));
  return parts.join('\n');
}

/** The commands the `*.script.ts` modules declare on ioredis (all named `sl…`). */
export type ScriptCommand = {
  [K in keyof RedisCommander]: K extends `sl${string}` ? K : never;
}[keyof RedisCommander];

export interface ScriptCall {
  keys: string[];
  args: (string | number | Buffer)[];
}

/** Reads a script's array reply front to back, checking each value's type. */
export class ReplyReader {
  private pos = 0;
  private readonly items: unknown[];

  constructor(
    readonly script: string,
    private readonly reply: unknown,
  ) {
    if (!Array.isArray(reply)) throw new ScriptReplyError(script, `expected an array, got ${describe(reply)}`, reply);
    this.items = reply;
  }

  get length(): number {
    return this.items.length;
  }

  /** How many values are left. */
  get left(): number {
    return this.items.length - this.pos;
  }

  /** The reply must hold exactly `n` values. */
  expectLength(n: number): this {
    if (this.items.length !== n) this.fail(`expected ${n} values, got ${this.items.length}`);
    return this;
  }

  int(what: string, min = -Infinity, max = Infinity): number {
    const v = this.next(what);
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(`${what} at ${this.pos - 1}: expected an integer, got ${describe(v)}`);
    if (v < min || v > max) this.fail(`${what} at ${this.pos - 1}: ${v} is outside [${min}, ${max}]`);
    return v;
  }

  /** The next value is Lua `false` / nil. */
  peekNull(): boolean {
    return this.pos < this.items.length && this.items[this.pos] === null;
  }

  /** Reads a Lua `false` / nil (→ undefined: "not applicable"). */
  nil(what: string): undefined {
    const v = this.next(what);
    if (v !== null) this.fail(`${what} at ${this.pos - 1}: expected nil, got ${describe(v)}`);
    return undefined;
  }

  /** A time in ms, or -1 for "none" (→ null). */
  msOrNone(what: string): number | null {
    const v = this.int(what, -1);
    return v === -1 ? null : v;
  }

  str(what: string): string {
    const v = this.next(what);
    if (typeof v !== 'string') this.fail(`${what} at ${this.pos - 1}: expected a string, got ${describe(v)}`);
    return v;
  }

  /** A string, or Lua `false` / nil (→ null). */
  strOrNull(what: string): string | null {
    const v = this.next(what);
    if (v === null) return null;
    if (typeof v !== 'string') this.fail(`${what} at ${this.pos - 1}: expected a string or nil, got ${describe(v)}`);
    return v;
  }

  oneOf<T extends string>(what: string, allowed: readonly T[]): T {
    const v = this.str(what);
    if (!(allowed as readonly string[]).includes(v)) this.fail(`${what} at ${this.pos - 1}: ${JSON.stringify(v)} is not one of ${allowed.join('|')}`);
    return v as T;
  }

  /** Every value must have been read. */
  end(): void {
    if (this.pos !== this.items.length) this.fail(`${this.items.length - this.pos} values left over`);
  }

  fail(detail: string): never {
    throw new ScriptReplyError(this.script, detail, this.reply);
  }

  private next(what: string): unknown {
    if (this.pos >= this.items.length) this.fail(`${what}: reply ends after ${this.items.length} values`);
    return this.items[this.pos++];
  }
}

/** A whole-reply integer (scripts that answer one number). */
export function intReply(script: string, reply: unknown, min = -Infinity, max = Infinity): number {
  if (typeof reply !== 'number' || !Number.isInteger(reply) || reply < min || reply > max) {
    throw new ScriptReplyError(script, `expected an integer in [${min}, ${max}], got ${describe(reply)}`, reply);
  }
  return reply;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'nil';
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

type Invoke = (numKeys: number, ...keysAndArgs: (string | number | Buffer)[]) => Promise<unknown>;

/** One Lua script: registered once per client, called with typed input, its reply decoded and checked. */
export class RedisScript<In, Out> {
  constructor(
    private readonly spec: {
      command: ScriptCommand;
      lua: string;
      encode: (input: In) => ScriptCall;
      decode: (reply: unknown, input: In) => Out;
    },
  ) {}

  get command(): ScriptCommand {
    return this.spec.command;
  }

  get lua(): string {
    return this.spec.lua;
  }

  /** Registers the script on this client (idempotent). */
  define(client: RedisClient): void {
    if (typeof (client as unknown as Record<string, unknown>)[this.spec.command] === 'function') return;
    client.defineCommand(this.spec.command, { lua: this.spec.lua });
  }

  encode(input: In): ScriptCall {
    return this.spec.encode(input);
  }

  /** Throws ScriptReplyError when the reply is not what the script promises. */
  decode(reply: unknown, input: In): Out {
    return this.spec.decode(reply, input);
  }

  /** One call (one EVALSHA). Store failures propagate as ioredis raised them. */
  async run(client: RedisClient, input: In): Promise<Out> {
    this.define(client);
    const { keys, args } = this.spec.encode(input);
    const invoke = (client[this.spec.command] as unknown as Invoke).bind(client);
    return this.spec.decode(await invoke(keys.length, ...keys, ...args), input);
  }

  /**
   * Queues a call on a pipeline (its reply is to be passed to `decode`). The script must have been
   * defined on the client before the pipeline was created: ioredis copies scripts into a pipeline then.
   */
  queue(pipe: ChainableCommander, input: In): void {
    const fn = pipe[this.spec.command] as unknown as Invoke | undefined;
    if (typeof fn !== 'function') throw new Error(`${this.spec.command} was not defined on the client before its pipeline was created`);
    const { keys, args } = this.spec.encode(input);
    void fn.call(pipe, keys.length, ...keys, ...args);
  }

  /**
   * Many calls in one pipeline (one round trip; the keys of one call must share a slot, different
   * calls may not under Cluster). The first failed call's error is thrown.
   */
  async runMany(client: RedisClient, inputs: In[]): Promise<Out[]> {
    if (!inputs.length) return [];
    this.define(client);
    const pipe = client.pipeline();
    for (const input of inputs) this.queue(pipe, input);
    const results = await pipe.exec();
    if (!results || results.length !== inputs.length) {
      throw new ScriptReplyError(this.spec.command, `pipeline answered ${results?.length ?? 'nothing'} for ${inputs.length} calls`, results);
    }
    return results.map(([err, reply], i) => {
      if (err) throw err;
      return this.spec.decode(reply, inputs[i]);
    });
  }
}
