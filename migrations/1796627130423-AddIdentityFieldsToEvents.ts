import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every event about an identity carries its external_id and label in `data` (SPEC §7), so a
 * receiver can act on its own id without a lookup. A trigger fills them in as each outbox row is
 * written, inside the producer's transaction: one place for every producer (cooldowns, limit
 * crossings, and any added later), with the values the identity had when the event happened. A
 * producer's own values win; an identity already gone leaves them null.
 */
export class AddIdentityFieldsToEvents1796627130423 implements MigrationInterface {
  name = 'AddIdentityFieldsToEvents1796627130423';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function outbox_events_identity_fields() returns trigger language plpgsql as $$
      declare
        ext text;
        lbl text;
      begin
        if new.identity_id is not null then
          select external_id, label into ext, lbl from identities where id = new.identity_id;
          new.payload := jsonb_build_object('identity_id', new.identity_id, 'external_id', ext, 'label', lbl) || new.payload;
        end if;
        return new;
      end
      $$`);
    await q.query(`
      create trigger outbox_events_identity_fields before insert on outbox_events
        for each row execute function outbox_events_identity_fields()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop trigger outbox_events_identity_fields on outbox_events`);
    await q.query(`drop function outbox_events_identity_fields()`);
  }
}
