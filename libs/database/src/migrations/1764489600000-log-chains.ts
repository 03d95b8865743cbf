import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The management log becomes a chain per subject (DESIGN section 8): an incident, a joint incident, an
 * agreement. Entries name their subject (`subject_type`, `subject_id`; `incident_id` stays, set for incident
 * chains only, so an incident's entries keep their foreign key); each chain's head (its length and last hash)
 * is a row of `log_heads`, whose `org_id` is the chain's owner. `incidents.log_length` and `log_head_hash`
 * stay, as the register's copy of the head for its view; verification reads `log_heads`.
 *
 * Other organisations write to a chain they do not own (a joint incident's participants, an agreement's
 * parties) when its owner lists them in `log_writers`. Row-level security lets a tenant insert only rows of
 * its own, so appends go through two SECURITY DEFINER functions: `hub_log_open` locks the head (creating the
 * chain, owned by the caller, on its first append) and `hub_log_append` checks the caller may write, that the
 * entry follows the head (seq and previous hash), and inserts it with `org_id` = the chain's owner. `hub_app`
 * no longer inserts into `management_log` itself, and never updates or deletes. The owner and the writers of a
 * chain read it. Signed checkpoints of a head are kept in `log_checkpoints`, readable by the owner, the writers
 * and, in a shared-read transaction, the organisations the subject is released to; their keys are the key
 * ring's new 'log-checkpoint' purpose.
 */
export class LogChains1764489600000 implements MigrationInterface {
  name = 'LogChains1764489600000';

  async up(q: QueryRunner): Promise<void> {
    // Backfill as the owner: row-level security is forced on these tables, for the owner too, until it is
    // forced again below, within this migration's transaction.
    await q.query(`
      ALTER TABLE management_log NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE incidents NO FORCE ROW LEVEL SECURITY;

      CREATE TABLE log_heads (
        subject_type text NOT NULL CHECK (subject_type IN ('incident', 'joint_incident', 'agreement')),
        subject_id uuid NOT NULL,
        -- The chain's owner: every entry of the chain carries it, whoever appended it.
        org_id uuid NOT NULL REFERENCES organisations (id),
        length integer NOT NULL DEFAULT 0 CHECK (length >= 0),
        head_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subject_type, subject_id),
        UNIQUE (subject_type, subject_id, org_id),
        CHECK ((length = 0) = (head_hash IS NULL))
      );
      INSERT INTO log_heads (subject_type, subject_id, org_id, length, head_hash, created_at, updated_at)
        SELECT 'incident', id, org_id, log_length, log_head_hash, created_at, updated_at FROM incidents;

      ALTER TABLE management_log
        ADD COLUMN subject_type text,
        ADD COLUMN subject_id uuid,
        -- The appending organisation when it is not the chain's owner (a log writer); part of the entry's hash then.
        ADD COLUMN actor_org_id uuid REFERENCES organisations (id);
      UPDATE management_log SET subject_type = 'incident', subject_id = incident_id;
      ALTER TABLE management_log
        ALTER COLUMN subject_type SET NOT NULL,
        ALTER COLUMN subject_id SET NOT NULL,
        ALTER COLUMN incident_id DROP NOT NULL,
        ADD CONSTRAINT management_log_subject_type_check CHECK (subject_type IN ('incident', 'joint_incident', 'agreement')),
        ADD CONSTRAINT management_log_incident_check
          CHECK (CASE WHEN subject_type = 'incident' THEN incident_id IS NOT DISTINCT FROM subject_id ELSE incident_id IS NULL END),
        ADD CONSTRAINT management_log_actor_org_check CHECK (actor_org_id IS DISTINCT FROM org_id),
        ADD CONSTRAINT management_log_head_fk FOREIGN KEY (subject_type, subject_id, org_id)
          REFERENCES log_heads (subject_type, subject_id, org_id);
      CREATE UNIQUE INDEX management_log_subject_key ON management_log (subject_type, subject_id, seq);
      DROP INDEX management_log_chain_key;

      -- Organisations other than the owner that may append to (and read) a chain; the owner keeps the list.
      CREATE TABLE log_writers (
        subject_type text NOT NULL CHECK (subject_type IN ('joint_incident', 'agreement')),
        subject_id uuid NOT NULL,
        owner_org_id uuid NOT NULL,
        org_id uuid NOT NULL REFERENCES organisations (id),
        granted_at timestamptz NOT NULL DEFAULT now(),
        granted_by uuid,
        PRIMARY KEY (subject_type, subject_id, org_id),
        FOREIGN KEY (subject_type, subject_id, owner_org_id) REFERENCES log_heads (subject_type, subject_id, org_id),
        CHECK (org_id <> owner_org_id)
      );
      CREATE INDEX log_writers_org_idx ON log_writers (org_id);

      -- A chain head signed with a key of the 'log-checkpoint' ring (a compact JWS), so a third party can hold
      -- the hub to the chain as it was.
      CREATE TABLE log_checkpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_type text NOT NULL,
        subject_id uuid NOT NULL,
        org_id uuid NOT NULL,
        length integer NOT NULL CHECK (length >= 0),
        head_hash text,
        kid text NOT NULL,
        jws text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        FOREIGN KEY (subject_type, subject_id, org_id) REFERENCES log_heads (subject_type, subject_id, org_id)
      );
      CREATE INDEX log_checkpoints_subject_idx ON log_checkpoints (subject_type, subject_id, created_at, id);

      ALTER TABLE key_ring DROP CONSTRAINT key_ring_purpose_check;
      ALTER TABLE key_ring ADD CONSTRAINT key_ring_purpose_check CHECK (purpose IN ('access-token', 'feed', 'log-checkpoint'));
    `);

    await q.query(`
      -- Whether the caller's organisation is a listed writer of a chain. PL/pgSQL, like hub_granted, so the
      -- policies below call it only for rows not the caller's own instead of planning a join into every read.
      CREATE FUNCTION hub_log_writer(p_type text, p_subject uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        BEGIN
          RETURN EXISTS (SELECT 1 FROM log_writers w WHERE w.subject_type = p_type AND w.subject_id = p_subject
                            AND w.org_id = hub_current_org());
        END $$;
      REVOKE ALL ON FUNCTION hub_log_writer(text, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_log_writer(text, uuid) TO hub_app;

      ALTER TABLE log_heads ENABLE ROW LEVEL SECURITY; ALTER TABLE log_heads FORCE ROW LEVEL SECURITY;
      ALTER TABLE log_writers ENABLE ROW LEVEL SECURITY; ALTER TABLE log_writers FORCE ROW LEVEL SECURITY;
      ALTER TABLE log_checkpoints ENABLE ROW LEVEL SECURITY; ALTER TABLE log_checkpoints FORCE ROW LEVEL SECURITY;

      -- The owner keeps the list of writers; a writer sees that it is one.
      CREATE POLICY log_writers_owner ON log_writers
        USING (owner_org_id = hub_current_org()) WITH CHECK (owner_org_id = hub_current_org());
      CREATE POLICY log_writers_self ON log_writers FOR SELECT USING (org_id = hub_current_org());
      GRANT SELECT, INSERT, DELETE ON log_writers TO hub_app;

      -- Heads: read by the owner, the writers, and (shared reads only) the organisations the subject is released
      -- to, for the checkpoints. Written only through the functions below, which run as the owner role.
      CREATE POLICY log_heads_read ON log_heads FOR SELECT
        USING (org_id = hub_current_org() OR hub_log_writer(subject_type, subject_id)
               OR (hub_reads_shared() AND hub_granted(subject_type, subject_id, org_id)));
      CREATE POLICY log_heads_open ON log_heads FOR INSERT TO CURRENT_USER WITH CHECK (org_id = hub_current_org());
      CREATE POLICY log_heads_append ON log_heads FOR UPDATE TO CURRENT_USER
        USING (org_id = hub_current_org() OR hub_log_writer(subject_type, subject_id))
        WITH CHECK (org_id = hub_current_org() OR hub_log_writer(subject_type, subject_id));
      GRANT SELECT ON log_heads TO hub_app;

      -- Entries: read by the owner and the writers; inserted only by hub_log_append.
      DROP POLICY management_log_read ON management_log;
      DROP POLICY management_log_append ON management_log;
      CREATE POLICY management_log_read ON management_log FOR SELECT
        USING (org_id = hub_current_org() OR hub_log_writer(subject_type, subject_id));
      CREATE POLICY management_log_append ON management_log FOR INSERT TO CURRENT_USER
        WITH CHECK (org_id = hub_current_org() OR hub_log_writer(subject_type, subject_id));
      REVOKE INSERT ON management_log FROM hub_app;

      CREATE POLICY log_checkpoints_read ON log_checkpoints FOR SELECT
        USING (org_id = hub_current_org() OR hub_log_writer(subject_type, subject_id)
               OR (hub_reads_shared() AND hub_granted(subject_type, subject_id, org_id)));
      CREATE POLICY log_checkpoints_owner ON log_checkpoints FOR INSERT WITH CHECK (org_id = hub_current_org());
      -- created_at takes its default: a checkpoint cannot be back-dated.
      GRANT SELECT ON log_checkpoints TO hub_app;
      GRANT INSERT (id, subject_type, subject_id, org_id, length, head_hash, kid, jws, created_by) ON log_checkpoints TO hub_app;

      -- Who must own a new chain of a subject other than an incident, where the subject's own table says (NULL:
      -- its first appender). The hook for the joint-incident and agreement migrations: they replace it (CREATE OR
      -- REPLACE, same signature) to name a joint incident's or agreement's coordinator, so no other organisation
      -- can open that chain first. It runs inside hub_log_open, as the owner role, under the caller's tenant
      -- context: reading another organisation's row needs a lookup policy TO the owner role (as
      -- releases_owner_lookup), or it sees nothing and answers NULL.
      CREATE FUNCTION hub_log_subject_owner(p_type text, p_subject uuid) RETURNS uuid
        LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$ SELECT NULL::uuid $$;
      REVOKE ALL ON FUNCTION hub_log_subject_owner(text, uuid) FROM PUBLIC;

      -- Locks a chain's head for an append and answers it, creating the chain (owned by the caller) if it has
      -- none yet; an incident's chain only by the incident's organisation. A chain the caller neither owns nor
      -- writes to answers no_data_found, as if it did not exist.
      CREATE FUNCTION hub_log_open(p_type text, p_subject uuid)
        RETURNS TABLE (owner_org_id uuid, length integer, head_hash text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        #variable_conflict use_column
        DECLARE
          me uuid := hub_current_org();
          required uuid;
          h log_heads%ROWTYPE;
        BEGIN
          IF me IS NULL THEN
            RAISE EXCEPTION 'a management log is written in the name of an organisation' USING ERRCODE = 'insufficient_privilege';
          END IF;
          SELECT * INTO h FROM log_heads l WHERE l.subject_type = p_type AND l.subject_id = p_subject FOR UPDATE;
          IF NOT FOUND THEN
            IF p_type = 'incident' AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = p_subject AND i.org_id = me) THEN
              RAISE EXCEPTION 'no management log of % %', p_type, p_subject USING ERRCODE = 'no_data_found';
            END IF;
            required := CASE WHEN p_type <> 'incident' THEN hub_log_subject_owner(p_type, p_subject) END;
            IF required IS NOT NULL AND required <> me THEN
              RAISE EXCEPTION 'no management log of % %', p_type, p_subject USING ERRCODE = 'no_data_found';
            END IF;
            INSERT INTO log_heads (subject_type, subject_id, org_id) VALUES (p_type, p_subject, me) ON CONFLICT DO NOTHING;
            SELECT * INTO h FROM log_heads l WHERE l.subject_type = p_type AND l.subject_id = p_subject FOR UPDATE;
          END IF;
          IF NOT FOUND OR (h.org_id <> me AND NOT hub_log_writer(p_type, p_subject)) THEN
            RAISE EXCEPTION 'no management log of % %', p_type, p_subject USING ERRCODE = 'no_data_found';
          END IF;
          RETURN QUERY SELECT h.org_id, h.length, h.head_hash;
        END $$;

      -- Appends one entry, hashed by the caller over exactly these values, at the head of its chain.
      CREATE FUNCTION hub_log_append(p_type text, p_subject uuid, p_seq integer, p_at timestamptz, p_actor_id uuid,
                                     p_actor_kind text, p_actor_org_id uuid, p_action text, p_reason text, p_details jsonb,
                                     p_prev_hash text, p_hash text)
        RETURNS SETOF management_log
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          me uuid := hub_current_org();
          h log_heads%ROWTYPE;
          entry management_log%ROWTYPE;
        BEGIN
          SELECT * INTO h FROM log_heads l WHERE l.subject_type = p_type AND l.subject_id = p_subject FOR UPDATE;
          IF me IS NULL OR NOT FOUND OR (h.org_id <> me AND NOT hub_log_writer(p_type, p_subject)) THEN
            RAISE EXCEPTION 'no management log of % %', p_type, p_subject USING ERRCODE = 'no_data_found';
          END IF;
          IF p_seq IS DISTINCT FROM h.length + 1 OR p_prev_hash IS DISTINCT FROM h.head_hash THEN
            RAISE EXCEPTION 'entry % does not follow the head of the log of % % (% entries)', p_seq, p_type, p_subject, h.length
              USING ERRCODE = 'serialization_failure';
          END IF;
          IF p_actor_org_id IS DISTINCT FROM (CASE WHEN me = h.org_id THEN NULL ELSE me END) THEN
            RAISE EXCEPTION 'the entry names another organisation than the caller' USING ERRCODE = 'insufficient_privilege';
          END IF;
          UPDATE log_heads l SET length = p_seq, head_hash = p_hash, updated_at = now()
           WHERE l.subject_type = p_type AND l.subject_id = p_subject;
          INSERT INTO management_log (org_id, subject_type, subject_id, incident_id, seq, at, actor_id, actor_kind, actor_org_id,
                                        action, reason, details, prev_hash, hash)
            VALUES (h.org_id, p_type, p_subject, CASE WHEN p_type = 'incident' THEN p_subject END, p_seq, p_at, p_actor_id,
                    p_actor_kind, p_actor_org_id, p_action, p_reason, p_details, p_prev_hash, p_hash)
            RETURNING * INTO entry;
          RETURN NEXT entry;
        END $$;
      REVOKE ALL ON FUNCTION hub_log_open(text, uuid),
        hub_log_append(text, uuid, integer, timestamptz, uuid, text, uuid, text, text, jsonb, text, text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_log_open(text, uuid),
        hub_log_append(text, uuid, integer, timestamptz, uuid, text, uuid, text, text, jsonb, text, text) TO hub_app;

      ALTER TABLE management_log FORCE ROW LEVEL SECURITY;
      ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION hub_log_append(text, uuid, integer, timestamptz, uuid, text, uuid, text, text, jsonb, text, text);
      DROP FUNCTION hub_log_open(text, uuid);
      DROP FUNCTION hub_log_subject_owner(text, uuid);
      ALTER TABLE management_log NO FORCE ROW LEVEL SECURITY;
      DROP POLICY management_log_append ON management_log;
      DROP POLICY management_log_read ON management_log;
      -- Only incident chains fit the earlier table.
      DELETE FROM management_log WHERE subject_type <> 'incident';
      ALTER TABLE management_log DROP CONSTRAINT management_log_head_fk;
      DROP TABLE log_checkpoints, log_writers, log_heads;
      DROP FUNCTION hub_log_writer(text, uuid);
      DROP INDEX management_log_subject_key;
      CREATE UNIQUE INDEX management_log_chain_key ON management_log (incident_id, seq);
      ALTER TABLE management_log DROP COLUMN actor_org_id, DROP COLUMN subject_id, DROP COLUMN subject_type,
        ALTER COLUMN incident_id SET NOT NULL;
      CREATE POLICY management_log_read ON management_log FOR SELECT USING (org_id = hub_current_org());
      CREATE POLICY management_log_append ON management_log FOR INSERT WITH CHECK (org_id = hub_current_org());
      GRANT INSERT ON management_log TO hub_app;
      ALTER TABLE management_log FORCE ROW LEVEL SECURITY;
      DELETE FROM key_ring WHERE purpose = 'log-checkpoint';
      ALTER TABLE key_ring DROP CONSTRAINT key_ring_purpose_check;
      ALTER TABLE key_ring ADD CONSTRAINT key_ring_purpose_check CHECK (purpose IN ('access-token', 'feed'));
    `);
  }
}
