import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';

const CHANNEL = 'smart_limits_events';
type Handler = (payload: string) => void;

/**
 * Cross-instance cache invalidation through PostgreSQL LISTEN/NOTIFY: when one instance revokes a
 * key or changes an identity, every instance drops its cached copy within milliseconds. Caches also
 * expire on their own, so a lost notification (listener reconnecting) only delays, never breaks.
 */
@Injectable()
export class PgEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PgEvents');
  private client: pg.Client | null = null;
  private readonly handlers = new Map<string, Set<Handler>>();
  private stopped = false;
  private notifying: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | null = null;
  /** Notifications may have been lost since the listener last heard. */
  private missed = false;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const c = new pg.Client({ connectionString: this.config.database.url, connectionTimeoutMillis: 2000 });
    c.on('error', () => this.scheduleReconnect(c));
    c.on('end', () => this.scheduleReconnect(c));
    c.on('notification', (n) => {
      if (!n.payload) return;
      const i = n.payload.indexOf('|');
      const topic = i < 0 ? n.payload : n.payload.slice(0, i);
      const payload = i < 0 ? '' : n.payload.slice(i + 1);
      for (const h of this.handlers.get(topic) ?? []) h(payload);
      for (const h of this.handlers.get('*') ?? []) h(n.payload);
    });
    try {
      await c.connect();
      await c.query(`listen ${CHANNEL}`);
      this.client = c;
      if (this.missed) {
        this.missed = false;
        // Anything may have changed while we were deaf; now that we hear again, let subscribers
        // drop their caches. (Not before: while PostgreSQL is down, cached keys and identities are
        // what keeps the guard answering.)
        for (const h of this.handlers.get('reconnect') ?? []) h('');
      }
    } catch (e) {
      this.logger.warn(`listen failed: ${(e as Error).message}`);
      this.scheduleReconnect(c);
    }
  }

  private scheduleReconnect(c: pg.Client): void {
    if (this.client === c) this.client = null;
    this.missed = true;
    c.removeAllListeners('end');
    c.end().catch(() => undefined);
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, 1000);
  }

  subscribe(topic: string, handler: Handler): void {
    if (!this.handlers.has(topic)) this.handlers.set(topic, new Set());
    this.handlers.get(topic)!.add(handler);
  }

  /** Best effort; callers have already applied the change locally. */
  async publish(topic: string, payload: string, run?: (sql: string, params: unknown[]) => Promise<unknown>): Promise<void> {
    const sql = 'select pg_notify($1, $2)';
    const params = [CHANNEL, `${topic}|${payload}`];
    try {
      if (run) await run(sql, params);
      else if (this.client) {
        // One query at a time on the listening connection (pg deprecates overlapping calls on a client).
        const client = this.client;
        const sent = this.notifying.then(() => client.query(sql, params));
        this.notifying = sent.then(
          () => undefined,
          () => undefined,
        );
        await sent;
      }
    } catch (e) {
      this.logger.warn(`notify failed: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
