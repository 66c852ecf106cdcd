/** Anything that runs SQL: the DataSource, or a transaction's EntityManager to write with the change. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** One event of the transactional outbox (`outbox_events`), delivered to webhooks by the dispatcher. */
export interface OutboxEvent {
  workspaceId: string;
  identityId: string | null;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  /** Set for an event that must not be fanned out (a webhook test delivery is its own delivery). */
  dispatchedAt?: Date | null;
}

export interface WrittenEvent {
  id: string;
  seq: string;
}

/**
 * The one writer of `outbox_events`: every event of a call in one INSERT, so they are recorded
 * together or not at all, in the transaction of `db` when it is one. `onlyIfNoneOfTypeSince` writes
 * an event only when its workspace has none of its type since that time (a once-a-day warning).
 */
export async function writeOutboxEvents(db: Queryable, events: OutboxEvent[], opts: { onlyIfNoneOfTypeSince?: Date } = {}): Promise<WrittenEvent[]> {
  if (!events.length) return [];
  const values: unknown[] = [];
  const rows = events.map((e, i) => {
    values.push(e.workspaceId, e.identityId, e.type, JSON.stringify(e.payload), e.createdAt, e.dispatchedAt ?? null);
    const p = i * 6;
    return `($${p + 1}::uuid, $${p + 2}::uuid, $${p + 3}::text, $${p + 4}::jsonb, $${p + 5}::timestamptz, $${p + 6}::timestamptz)`;
  });
  const columns = 'workspace_id, identity_id, type, payload, created_at, dispatched_at';
  let sql = `insert into outbox_events (${columns}) values ${rows.join(', ')} returning id, seq::text as seq`;
  if (opts.onlyIfNoneOfTypeSince) {
    values.push(opts.onlyIfNoneOfTypeSince);
    const since = `$${values.length}`;
    sql = `insert into outbox_events (${columns})
           select v.* from (values ${rows.join(', ')}) as v(${columns})
            where not exists (select 1 from outbox_events o where o.workspace_id = v.workspace_id and o.type = v.type and o.created_at >= ${since})
           returning id, seq::text as seq`;
  }
  return (await db.query(sql, values)) as WrittenEvent[];
}
