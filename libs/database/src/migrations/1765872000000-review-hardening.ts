import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hardening of the lessons-learned review (migration 1765440000000) after its security review (issue 11).
 *
 * - `shared_joint_reports` withholds in SQL each quote whose contribution the reader may not read (not its own, and
 *   no grant): the quote becomes exactly `{"withheld": true}`, so `hub_app` never learns the id of a contribution it
 *   may not read, nor its field or range.
 * - Contributions and the joint report are written in phase learn_lessons only, in row-level security too: the
 *   write checks call `hub_joint_review_open`, which reads the phase through `hub_joint_review_phase` and holds a
 *   share lock on the joint incident's row until the transaction ends, so a concurrent close waits for the write
 *   (and a write after the close sees it closed). The service takes the same lock first, for its own phase check.
 * - Once the joint report is published, the fields of a contribution it quotes are final
 *   (`hub_joint_quoted_fields`, which share-locks the report row against a concurrent publication; the trigger
 *   `joint_contributions_quoted_final` refuses such a change below the service).
 * - The share locks need an UPDATE policy for the owner role (SELECT ... FOR SHARE checks it): `*_review_lock`
 *   lets the owner role lock the rows of the joint incident in scope and write none (WITH CHECK false).
 */
const QUOTABLE_COLUMNS = [
  ['whatHappened', 'what_happened'],
  ['whatWorked', 'what_worked'],
  ['whatDidNot', 'what_did_not'],
  ['recommendations', 'recommendations'],
] as const;

export class ReviewHardening1765872000000 implements MigrationInterface {
  name = 'ReviewHardening1765872000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE POLICY joint_incidents_review_lock ON joint_incidents FOR UPDATE TO CURRENT_USER
        USING (id = hub_joint_scope()) WITH CHECK (false);
      CREATE POLICY joint_reports_review_lock ON joint_reports FOR UPDATE TO CURRENT_USER
        USING (joint_incident_id = hub_joint_scope()) WITH CHECK (false);

      -- The phase of a joint incident for its coordinator and accepted participants (NULL for anyone else), with a
      -- share lock on its row held until the transaction ends: a phase change waits for the caller's write.
      CREATE FUNCTION hub_joint_review_phase(p_joint uuid) RETURNS text
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_phase text;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          IF hub_joint_member(p_joint) THEN
            PERFORM set_config('hub.joint_scope', p_joint::text, true);
            SELECT j.phase INTO v_phase FROM joint_incidents j WHERE j.id = p_joint FOR SHARE;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_phase;
        END $$;
      CREATE FUNCTION hub_joint_review_open(p_joint uuid) RETURNS boolean
        LANGUAGE sql VOLATILE SET search_path = public, pg_temp
        AS $$ SELECT coalesce(hub_joint_review_phase(p_joint) = 'learn_lessons', false) $$;

      -- The fields (API names) of the caller's own contribution that the published joint report quotes; empty while
      -- the report is a draft or quotes none. Share-locks the report row: a concurrent publication waits.
      CREATE FUNCTION hub_joint_quoted_fields(p_contribution uuid) RETURNS text[]
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_joint uuid;
          v_fields text[] := '{}';
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          SELECT c.joint_incident_id INTO v_joint FROM joint_contributions c WHERE c.id = p_contribution AND c.org_id = hub_current_org();
          IF v_joint IS NOT NULL THEN
            PERFORM set_config('hub.joint_scope', v_joint::text, true);
            SELECT coalesce(array_agg(DISTINCT q ->> 'field') FILTER (WHERE r.published_at IS NOT NULL AND q ->> 'contributionId' = p_contribution::text), '{}')
              INTO v_fields
              FROM (SELECT * FROM joint_reports WHERE joint_incident_id = v_joint FOR SHARE) r
              LEFT JOIN LATERAL jsonb_array_elements(r.quotes) AS q ON true;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN coalesce(v_fields, '{}');
        END $$;
      REVOKE ALL ON FUNCTION hub_joint_review_phase(uuid), hub_joint_review_open(uuid), hub_joint_quoted_fields(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_joint_review_phase(uuid), hub_joint_review_open(uuid), hub_joint_quoted_fields(uuid) TO hub_app;

      CREATE FUNCTION hub_joint_contribution_quoted_final() RETURNS trigger
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        DECLARE
          v_fields text[] := hub_joint_quoted_fields(OLD.id);
        BEGIN
          IF ${QUOTABLE_COLUMNS.map(([field, column]) => `('${field}' = ANY (v_fields) AND NEW.${column} IS DISTINCT FROM OLD.${column})`).join('\n             OR ')} THEN
            RAISE EXCEPTION 'the published joint report quotes this field of the contribution: it is final' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER joint_contributions_quoted_final BEFORE UPDATE OF ${QUOTABLE_COLUMNS.map(([, column]) => column).join(', ')}
        ON joint_contributions FOR EACH ROW EXECUTE FUNCTION hub_joint_contribution_quoted_final();

      DROP POLICY joint_contributions_owner ON joint_contributions;
      CREATE POLICY joint_contributions_owner ON joint_contributions USING (org_id = hub_current_org())
        WITH CHECK (org_id = hub_current_org() AND hub_joint_member(joint_incident_id) AND hub_joint_review_open(joint_incident_id));
      DROP POLICY joint_reports_owner ON joint_reports;
      CREATE POLICY joint_reports_owner ON joint_reports USING (org_id = hub_current_org())
        WITH CHECK (org_id = hub_current_org() AND hub_joint_coordinator(joint_incident_id) AND hub_joint_review_open(joint_incident_id));

      -- As migration 1765440000000, but each quote of a contribution the reader may not read is {"withheld": true}.
      CREATE OR REPLACE VIEW shared_joint_reports AS
      SELECT r.id, r.org_id, (SELECT o.name FROM organisations o WHERE o.id = r.org_id) AS author_label, r.joint_incident_id,
             r.summary, r.findings, r.recommendations,
             (SELECT coalesce(jsonb_agg(CASE WHEN EXISTS (
                        SELECT 1 FROM joint_contributions c
                         WHERE c.id::text = q ->> 'contributionId' AND c.joint_incident_id = r.joint_incident_id
                           AND (c.org_id = hub_current_org() OR hub_granted('joint_contribution', c.id, c.org_id)))
                      THEN q ELSE '{"withheld": true}'::jsonb END ORDER BY n), '[]'::jsonb)
                FROM jsonb_array_elements(r.quotes) WITH ORDINALITY AS t (q, n)) AS quotes,
             r.marking, r.published_at, NULL::uuid AS created_by, r.created_at, r.updated_at, r.version
        FROM joint_reports r
       WHERE r.published_at IS NOT NULL AND r.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared()
         AND hub_granted('joint_report', r.id, r.org_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW shared_joint_reports AS
      SELECT r.id, r.org_id, (SELECT o.name FROM organisations o WHERE o.id = r.org_id) AS author_label, r.joint_incident_id,
             r.summary, r.findings, r.recommendations, r.quotes, r.marking, r.published_at,
             NULL::uuid AS created_by, r.created_at, r.updated_at, r.version
        FROM joint_reports r
       WHERE r.published_at IS NOT NULL AND r.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared()
         AND hub_granted('joint_report', r.id, r.org_id);

      DROP POLICY joint_reports_owner ON joint_reports;
      CREATE POLICY joint_reports_owner ON joint_reports USING (org_id = hub_current_org())
        WITH CHECK (org_id = hub_current_org() AND hub_joint_coordinator(joint_incident_id));
      DROP POLICY joint_contributions_owner ON joint_contributions;
      CREATE POLICY joint_contributions_owner ON joint_contributions USING (org_id = hub_current_org())
        WITH CHECK (org_id = hub_current_org() AND hub_joint_member(joint_incident_id));

      DROP TRIGGER joint_contributions_quoted_final ON joint_contributions;
      DROP FUNCTION hub_joint_contribution_quoted_final();
      DROP FUNCTION hub_joint_quoted_fields(uuid), hub_joint_review_open(uuid), hub_joint_review_phase(uuid);
      DROP POLICY joint_reports_review_lock ON joint_reports;
      DROP POLICY joint_incidents_review_lock ON joint_incidents;
    `);
  }
}
