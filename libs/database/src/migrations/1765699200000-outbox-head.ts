import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operators' view of the outbox: its head (the highest sequence number written) and the age of that newest
 * row, for the metrics endpoint, without a tenant context. The outbox keeps its forced row-level security per
 * organisation; `hub_outbox_head()` runs as the owner role and reads the one newest row through a policy of its
 * own, which holds only while the function has set `hub.outbox_head` (transaction-local, reset before it
 * returns) and only for the owner role, so hub_app reading the table directly still sees its own rows only.
 * It answers two numbers and nothing of a row (no organisation, type or id). An empty outbox answers NULLs.
 * hub_app can set that setting itself: harmless while no other definer function reads outbox rows, but one that
 * does (the relay's, say) must clear `hub.outbox_head` before it reads.
 *
 * The lag of the real-time relay (its cursor against this head) is not here: there is no relay yet (issue 12).
 */
export class OutboxHead1765699200000 implements MigrationInterface {
  name = 'OutboxHead1765699200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE POLICY outbox_head_read ON outbox FOR SELECT TO CURRENT_USER
        USING (current_setting('hub.outbox_head', true) = 'on');

      CREATE FUNCTION hub_outbox_head(OUT head_seq bigint, OUT newest_age_seconds double precision)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_prev text := current_setting('hub.outbox_head', true);
        BEGIN
          PERFORM set_config('hub.outbox_head', 'on', true);
          -- The primary key read backwards: one row, whatever the size of the outbox.
          SELECT o.seq, extract(epoch FROM clock_timestamp() - o.created_at)::double precision
            INTO head_seq, newest_age_seconds
            FROM outbox o ORDER BY o.seq DESC LIMIT 1;
          PERFORM set_config('hub.outbox_head', coalesce(v_prev, ''), true);
        END $$;
      REVOKE ALL ON FUNCTION hub_outbox_head() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_outbox_head() TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION hub_outbox_head();
      DROP POLICY outbox_head_read ON outbox;
    `);
  }
}
