import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The joint lessons-learned review (issue 11 section 2): two shareable types of the joint workspace, with their
 * derived grants computed by one hook of `hub_sync_joint_access` (migration 1765267200000).
 *
 * - `joint_contributions`: one per organisation (the coordination team or an accepted participant) per joint
 *   incident, owned by its author, under its own marking and audience (`coordinator`: the coordination team only;
 *   `all`: every accepted participant too); RED reaches its `audience_users` only. The near misses it counts in are
 *   the ids of its own event reports (`near_miss_ids`, read back by the author only) and their received/decided
 *   dates (`near_misses`, what a reader sees). A contribution of an organisation that is no longer an accepted
 *   participant reaches the coordination team only. A pseudonymous author is stamped by `hub_joint_author_stamp`
 *   and shows in the shared view as its participation id and pseudonym to everyone but the coordinator.
 * - `joint_reports`: one per joint incident, owned by the coordinator. Quotes are references (contribution, field,
 *   optional range), never the text. A draft reaches nobody; once published it reaches the accepted participants
 *   by its marking (RED: their points-of-contact users), as the joint incident itself does.
 */
export class JointReview1765440000000 implements MigrationInterface {
  name = 'JointReview1765440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE joint_contributions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        joint_incident_id uuid NOT NULL REFERENCES joint_incidents (id),
        what_happened text NOT NULL DEFAULT '' CHECK (length(what_happened) <= 20000),
        what_worked text NOT NULL DEFAULT '' CHECK (length(what_worked) <= 20000),
        what_did_not text NOT NULL DEFAULT '' CHECK (length(what_did_not) <= 20000),
        recommendations text NOT NULL DEFAULT '' CHECK (length(recommendations) <= 20000),
        -- The author's own event reports kept as near misses; readers get only their dates (near_misses).
        near_miss_ids uuid[] NOT NULL DEFAULT '{}',
        near_misses jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(near_misses) = 'array'),
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        audience text NOT NULL CHECK (audience IN ('all', 'coordinator')),
        audience_users uuid[] NOT NULL DEFAULT '{}',
        author_participant_id uuid REFERENCES joint_participants (id),
        author_pseudonym text,
        created_by uuid,
        updated_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK (marking <> 'RED' OR cardinality(audience_users) > 0),
        CHECK (cardinality(near_miss_ids) = jsonb_array_length(near_misses))
      );
      CREATE UNIQUE INDEX joint_contributions_author_key ON joint_contributions (joint_incident_id, org_id);
      CREATE INDEX joint_contributions_list_idx ON joint_contributions (joint_incident_id, created_at DESC, id DESC);

      CREATE TABLE joint_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        joint_incident_id uuid NOT NULL REFERENCES joint_incidents (id),
        summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
        findings text NOT NULL DEFAULT '' CHECK (length(findings) <= 50000),
        recommendations text NOT NULL DEFAULT '' CHECK (length(recommendations) <= 50000),
        -- References only ({contributionId, field, start?, end?}); the quoted text is resolved per reader.
        quotes jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(quotes) = 'array' AND jsonb_array_length(quotes) <= 200),
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        published_at timestamptz,
        published_by uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      );
      CREATE UNIQUE INDEX joint_reports_joint_key ON joint_reports (joint_incident_id);

      INSERT INTO shareable_types (type, container_type, table_name, container_column) VALUES
        ('joint_contribution', 'joint_incident', 'joint_contributions', 'joint_incident_id'),
        ('joint_report', 'joint_incident', 'joint_reports', 'joint_incident_id');
    `);

    for (const [table, type, writer] of [
      ['joint_contributions', 'joint_contribution', 'hub_joint_member'],
      ['joint_reports', 'joint_report', 'hub_joint_coordinator'],
    ] as const) {
      await q.query(`
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY ${table}_owner ON ${table} USING (org_id = hub_current_org())
          WITH CHECK (org_id = hub_current_org() AND ${writer}(joint_incident_id));
        -- The grant recomputation and hub_joint_object_owner, as the owner role in the joint incident's scope.
        CREATE POLICY ${table}_sync_read ON ${table} FOR SELECT TO CURRENT_USER USING (joint_incident_id = hub_joint_scope());
        -- The shared view (owned by this role) reads another organisation's row through a grant only.
        CREATE POLICY ${table}_shared_read ON ${table} FOR SELECT TO CURRENT_USER
          USING (hub_reads_shared() AND hub_granted('${type}', id, org_id));
        GRANT SELECT, INSERT, UPDATE ON ${table} TO hub_app;
        CREATE TRIGGER ${table}_access_sort AFTER UPDATE OF updated_at ON ${table}
          FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION hub_access_follow_joint_object('${type}');
      `);
    }

    await q.query(`
      CREATE TRIGGER joint_contributions_author BEFORE INSERT OR UPDATE OF org_id, joint_incident_id, author_participant_id, author_pseudonym
        ON joint_contributions FOR EACH ROW EXECUTE FUNCTION hub_joint_author_stamp();

      -- The hook (joint_sync_hooks): runs as the owner role in the joint incident's scope, after the core deleted
      -- every derived row of the joint incident.
      CREATE FUNCTION hub_sync_joint_review(p_joint uuid) RETURNS void
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        DECLARE
          v_via text := 'joint:' || p_joint::text;
          v_coordinator uuid;
          v_accepted uuid[] := hub_joint_accepted_orgs(p_joint);
        BEGIN
          SELECT j.org_id INTO v_coordinator FROM joint_incidents j WHERE j.id = p_joint;
          IF v_coordinator IS NULL THEN RETURN; END IF;

          -- Contributions: the coordination team always, the accepted participants for audience all while the
          -- author is the team or an accepted participant itself; never the author; RED: the named users of those.
          INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
          SELECT c.org_id, 'joint_contribution', c.id, 'joint_incident', p_joint, g, NULL, v_via, '{}', c.updated_at
            FROM joint_contributions c
            CROSS JOIN LATERAL (
              SELECT coalesce(array_agg(o), '{}') AS orgs FROM (
                SELECT o FROM unnest(v_accepted) AS o
                 WHERE c.audience = 'all' AND (c.org_id = v_coordinator OR c.org_id = ANY (v_accepted))
                UNION SELECT v_coordinator) t
               WHERE o <> c.org_id
            ) a
            CROSS JOIN LATERAL hub_joint_grantees(c.marking, a.orgs, c.audience_users) AS g
           WHERE c.joint_incident_id = p_joint;

          -- The joint report, once published: the accepted participants by its marking, as the joint incident.
          INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
          SELECT r.org_id, 'joint_report', r.id, 'joint_incident', p_joint, g, NULL, v_via, '{}', r.updated_at
            FROM joint_reports r
            CROSS JOIN LATERAL hub_joint_grantees(r.marking, v_accepted, hub_joint_contact_users(p_joint)) AS g
           WHERE r.joint_incident_id = p_joint AND r.published_at IS NOT NULL AND r.org_id = v_coordinator;
        END $$;
      REVOKE ALL ON FUNCTION hub_sync_joint_review(uuid) FROM PUBLIC;
      INSERT INTO joint_sync_hooks (function_name) VALUES ('hub_sync_joint_review');

      -- Another organisation's contribution as a grant lets the caller read it: a pseudonymous author as its
      -- participation id and pseudonym (but to the coordinator), the near misses as their dates only.
      CREATE VIEW shared_joint_contributions AS
      SELECT c.id,
             CASE WHEN c.author_participant_id IS NULL OR c.author_pseudonym IS NULL OR hub_joint_coordinator(c.joint_incident_id)
                  THEN c.org_id ELSE c.author_participant_id END AS org_id,
             CASE WHEN c.author_participant_id IS NULL OR c.author_pseudonym IS NULL OR hub_joint_coordinator(c.joint_incident_id)
                  THEN (SELECT o.name FROM organisations o WHERE o.id = c.org_id)
                  ELSE c.author_pseudonym END AS author_label,
             c.joint_incident_id, c.what_happened, c.what_worked, c.what_did_not, c.recommendations,
             NULL::uuid[] AS near_miss_ids, c.near_misses, c.marking, c.audience, NULL::uuid[] AS audience_users,
             NULL::uuid AS created_by, c.created_at, c.updated_at, c.version
        FROM joint_contributions c
       WHERE c.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('joint_contribution', c.id, c.org_id);

      -- The published joint report. Its quotes are references; the service resolves each through the reader's
      -- own read of the contribution and shows a withheld marker (naming nothing) where that read finds nothing.
      CREATE VIEW shared_joint_reports AS
      SELECT r.id, r.org_id, (SELECT o.name FROM organisations o WHERE o.id = r.org_id) AS author_label, r.joint_incident_id,
             r.summary, r.findings, r.recommendations, r.quotes, r.marking, r.published_at,
             NULL::uuid AS created_by, r.created_at, r.updated_at, r.version
        FROM joint_reports r
       WHERE r.published_at IS NOT NULL AND r.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared()
         AND hub_granted('joint_report', r.id, r.org_id);

      GRANT SELECT ON shared_joint_contributions, shared_joint_reports TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP VIEW shared_joint_reports, shared_joint_contributions;
      DELETE FROM joint_sync_hooks WHERE function_name = 'hub_sync_joint_review';
      DROP FUNCTION hub_sync_joint_review(uuid);
      DELETE FROM access WHERE object_type IN ('joint_contribution', 'joint_report');
      DELETE FROM releases WHERE object_type IN ('joint_contribution', 'joint_report');
      DROP TABLE joint_reports, joint_contributions;
      DELETE FROM shareable_types WHERE type IN ('joint_contribution', 'joint_report');
    `);
  }
}
