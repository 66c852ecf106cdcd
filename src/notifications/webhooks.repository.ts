import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUuid } from '../common/validation/uuid.js';

export interface WebhookSubscription {
  id: string;
  workspaceId: string;
  url: string;
  events: string[];
  createdAt: Date;
}

interface Row {
  id: string;
  workspace_id: string;
  url: string;
  events: string[];
  created_at: Date;
}

const COLUMNS = 'id, workspace_id, url, events, created_at';

function toSubscription(r: Row): WebhookSubscription {
  return { id: r.id, workspaceId: r.workspace_id, url: r.url, events: r.events, createdAt: r.created_at };
}

/** Webhook subscriptions. The secret goes in once and is only read back by the dispatcher's claim. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly ds: DataSource) {}

  async create(workspaceId: string, url: string, events: string[], secret: string): Promise<WebhookSubscription> {
    const [row] = await this.ds.query(
      `insert into webhook_subscriptions (workspace_id, url, events, secret) values ($1, $2, $3, $4) returning ${COLUMNS}`,
      [workspaceId, url, events, secret],
    );
    return toSubscription(row);
  }

  async countInWorkspace(workspaceId: string): Promise<number> {
    const [{ n }] = await this.ds.query(`select count(*)::int as n from webhook_subscriptions where workspace_id = $1`, [workspaceId]);
    return n;
  }

  async listInWorkspace(workspaceId: string): Promise<WebhookSubscription[]> {
    const rows: Row[] = await this.ds.query(`select ${COLUMNS} from webhook_subscriptions where workspace_id = $1 order by created_at, id`, [
      workspaceId,
    ]);
    return rows.map(toSubscription);
  }

  /** Null for a malformed id too: other workspaces' and unknown ids look the same (404). */
  async findInWorkspace(workspaceId: string, id: string): Promise<WebhookSubscription | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.ds.query(`select ${COLUMNS} from webhook_subscriptions where workspace_id = $1 and id = $2`, [workspaceId, id]);
    return row ? toSubscription(row) : null;
  }

  /** Pending deliveries go with it (cascade): a deleted webhook receives nothing more. */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [, affected] = await this.ds.query(`delete from webhook_subscriptions where workspace_id = $1 and id = $2`, [workspaceId, id]);
    return affected > 0;
  }
}
