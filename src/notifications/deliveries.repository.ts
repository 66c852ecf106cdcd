import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { writeOutboxEvents } from '../database/outbox.js';

/** A delivery this instance has claimed, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  claimToken: string;
  /** This attempt's number (1 = first). */
  attempt: number;
  firstAttemptAt: Date;
  subscriptionId: string;
  url: string;
  secret: string;
  eventId: string;
  eventType: string;
  eventCreatedAt: Date;
  workspaceId: string;
  identityId: string | null;
  payload: Record<string, unknown>;
}

export interface AttemptRecord {
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** After this attempt: delivered, failed for good, or due again at `nextAttemptAt`. */
  outcome: { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; nextAttemptAt: Date };
}

export interface DeliveryView {
  id: string;
  seq: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  attempts: { attempt: number; attempted_at: string; status_code: number | null; latency_ms: number; error: string | null }[];
}

@Injectable()
export class DeliveriesRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Fans undispatched outbox events out into one delivery per subscription that wants them and
   * stamps them dispatched, in one statement. `SKIP LOCKED` lets every instance do this at once on
   * disjoint events. Returns how many events it took.
   */
  async fanOutEvents(now: Date, limit: number): Promise<number> {
    const [, count] = await this.ds.query(
      `with batch as (
         select id, seq, workspace_id, identity_id, type from outbox_events
         where dispatched_at is null
         order by seq
         limit $2
         for update skip locked
       ), fanned as (
         insert into webhook_deliveries (subscription_id, event_id, event_seq, identity_id, created_at)
         select s.id, b.id, b.seq, b.identity_id, $1
         from batch b join webhook_subscriptions s on s.workspace_id = b.workspace_id and b.type = any (s.events)
         on conflict do nothing
       )
       update outbox_events e set dispatched_at = $1 from batch b where e.id = b.id`,
      [now, limit],
    );
    return count;
  }

  /**
   * Claims up to `limit` due deliveries for this instance. `SKIP LOCKED` lets every instance claim
   * at once without waiting on or taking each other's rows; the claim itself is a lease (the due
   * time moves to `leaseUntil` and a token marks the owner), so no transaction stays open during the
   * HTTP call and a crashed instance's deliveries fall due again when the lease ends (at least once).
   * A delivery is only due when no earlier event of its identity is still pending for the same
   * subscription, nor still waiting to be fanned out (another instance may be fanning out earlier
   * events right now): per identity, events arrive in outbox order.
   */
  async claimDueDeliveries(now: Date, leaseUntil: Date, claimToken: string, limit: number): Promise<ClaimedDelivery[]> {
    const rows: Record<string, any>[] = await this.ds.query(
      `with due as (
         select d.id from webhook_deliveries d
         where d.status = 'pending' and d.next_attempt_at <= $1
           and not exists (
             select 1 from webhook_deliveries p
             where p.subscription_id = d.subscription_id and p.identity_id = d.identity_id
               and p.status = 'pending' and p.event_seq < d.event_seq)
           and not exists (
             select 1 from outbox_events o
             where o.dispatched_at is null and o.identity_id = d.identity_id and o.seq < d.event_seq)
         order by d.next_attempt_at, d.event_seq
         limit $4
         for update of d skip locked
       ), claimed as (
         update webhook_deliveries d
         set next_attempt_at = $2, claim_token = $3, attempts = d.attempts + 1, first_attempt_at = coalesce(d.first_attempt_at, $1)
         from due where d.id = due.id
         returning d.id, d.event_seq, d.attempts, d.first_attempt_at, d.subscription_id, d.event_id, d.identity_id
       )
       select c.*, s.url, s.secret, e.type, e.workspace_id, e.payload, e.created_at as event_created_at
       from claimed c
       join webhook_subscriptions s on s.id = c.subscription_id
       join outbox_events e on e.id = c.event_id
       order by c.event_seq`,
      [now, leaseUntil, claimToken, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      claimToken,
      attempt: r.attempts,
      firstAttemptAt: r.first_attempt_at,
      subscriptionId: r.subscription_id,
      url: r.url,
      secret: r.secret,
      eventId: r.event_id,
      eventType: r.type,
      eventCreatedAt: r.event_created_at,
      workspaceId: r.workspace_id,
      identityId: r.identity_id,
      payload: r.payload ?? {},
    }));
  }

  /**
   * Logs the attempt and settles the delivery, in one statement. The delivery only changes while
   * this instance still holds the claim (a stale worker whose lease was taken over changes nothing);
   * the attempt is logged either way, because it did happen.
   */
  async recordAttempt(d: ClaimedDelivery, a: AttemptRecord): Promise<void> {
    const next = a.outcome.status === 'pending' ? a.outcome.nextAttemptAt : a.attemptedAt;
    await this.ds.query(
      `with logged as (
         insert into webhook_delivery_attempts (delivery_id, attempt, attempted_at, status_code, latency_ms, error)
         select id, $3, $4, $5, $6, $7 from webhook_deliveries where id = $1
       )
       update webhook_deliveries
       set status = $8, next_attempt_at = $9, claim_token = null,
           delivered_at = case when $8 = 'delivered' then $4::timestamptz end
       where id = $1 and claim_token = $2`,
      [d.id, d.claimToken, d.attempt, a.attemptedAt, a.statusCode, a.latencyMs, a.error, a.outcome.status, next],
    );
  }

  /**
   * Writes a test event to the outbox, already dispatched, with its one delivery: it goes to this
   * subscription only, never through the fan-out.
   */
  async enqueueTestEvent(
    workspaceId: string,
    subscriptionId: string,
    data: Record<string, unknown>,
    type: string,
    now: Date,
  ): Promise<{ eventId: string; deliveryId: string }> {
    return this.ds.transaction(async (m) => {
      const [event] = await writeOutboxEvents(m, [{ workspaceId, identityId: null, type, payload: data, createdAt: now, dispatchedAt: now }]);
      const [row] = await m.query(
        `insert into webhook_deliveries (subscription_id, event_id, event_seq, identity_id, created_at)
         values ($1, $2, $3, null, $4) returning id`,
        [subscriptionId, event.id, event.seq, now],
      );
      return { eventId: event.id, deliveryId: row.id };
    });
  }

  /** Newest first, keyset-paged on the event's outbox order, with every attempt of each delivery. */
  async pageForSubscription(subscriptionId: string, beforeSeq: string | null, limit: number): Promise<DeliveryView[]> {
    const rows: Record<string, any>[] = await this.ds.query(
      `select d.id, d.event_seq::text as seq, d.event_id, e.type, d.status, d.created_at, d.delivered_at,
         -- Never tried yet: due since it was created ('-infinity' only orders it first). Not
         -- greatest(): created_at and the retry times must not be compared across two clocks.
         case when d.status = 'pending' then
           case when d.next_attempt_at = '-infinity' then d.created_at else d.next_attempt_at end
         end as next_attempt_at,
         coalesce((select json_agg(json_build_object(
                    'attempt', a.attempt, 'attempted_at', a.attempted_at, 'status_code', a.status_code,
                    'latency_ms', a.latency_ms, 'error', a.error) order by a.attempt, a.id)
                   from webhook_delivery_attempts a where a.delivery_id = d.id), '[]'::json) as attempt_log
       from webhook_deliveries d
       join outbox_events e on e.id = d.event_id
       where d.subscription_id = $1 and ($2::bigint is null or d.event_seq < $2::bigint)
       order by d.event_seq desc
       limit $3`,
      [subscriptionId, beforeSeq, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      eventId: r.event_id,
      eventType: r.type,
      status: r.status,
      nextAttemptAt: r.next_attempt_at,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      attempts: (r.attempt_log as DeliveryView['attempts']).map((a) => ({ ...a, attempted_at: new Date(a.attempted_at).toISOString() })),
    }));
  }
}
