import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Improvement actions (issue 11 section 3, ISO/IEC 27035-2 clause 12): what lessons learned change (the plan, a
 * control, a risk rating, training), each owned by the organisation that carries it out, which alone writes it.
 *
 * An action comes from the owner's own incident (`incident_id`) or from a joint incident's review
 * (`joint_incident_id`). It is a shareable type (`improvement_action`, contained in a joint incident); its only
 * grant is derived: a joint-sourced action its owner shares with the coordination team (`share_with_coordinator`,
 * never RED) reaches `org:<coordinator>` through the hook `hub_sync_joint_actions`, which `hub_sync_joint_access`
 * runs after its core (migration 1765267200000). The hook grants only while the owner is an accepted participant,
 * so withdrawing the share, tightening to RED or the owner's removal ends the grant in the same transaction.
 *
 * Evidence of follow-through is a history kept in the row (`evidence`, entries appended with who and when).
 * `exercise` is stamped from the joint incident on insert (a definer trigger, which also refuses an organisation
 * that is neither its coordinator nor an accepted participant): exercises stay out of the figures.
 */
export class ImprovementActions1765526400000 implements MigrationInterface {
  name = 'ImprovementActions1765526400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE improvement_actions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- The organisation that carries the action out, and the only one that writes it.
        org_id uuid NOT NULL REFERENCES organisations (id),
        owner_user_id uuid NOT NULL REFERENCES users (id),
        source_type text NOT NULL CHECK (source_type IN ('incident', 'joint_incident')),
        incident_id uuid REFERENCES incidents (id),
        joint_incident_id uuid REFERENCES joint_incidents (id),
        kind text NOT NULL CHECK (kind IN ('plan', 'control', 'risk_rating', 'training', 'other')),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
        due_on date NOT NULL,
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'in_progress', 'done', 'dropped')),
        drop_reason text CHECK (length(drop_reason) BETWEEN 1 AND 2000),
        done_at timestamptz,
        share_with_coordinator boolean NOT NULL DEFAULT false,
        evidence jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(evidence) = 'array' AND jsonb_array_length(evidence) <= 200),
        exercise boolean NOT NULL DEFAULT false,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK ((source_type = 'incident') = (incident_id IS NOT NULL)),
        CHECK ((source_type = 'joint_incident') = (joint_incident_id IS NOT NULL)),
        CHECK ((state = 'dropped') = (drop_reason IS NOT NULL)),
        CHECK ((state = 'done') = (done_at IS NOT NULL)),
        CHECK (NOT share_with_coordinator OR (source_type = 'joint_incident' AND marking <> 'RED'))
      );
      -- The owner's list, newest first, filters applied while walking it; a joint review's actions by joint incident.
      CREATE INDEX improvement_actions_own_idx ON improvement_actions (org_id, created_at DESC, id DESC);
      CREATE INDEX improvement_actions_joint_idx ON improvement_actions (joint_incident_id, created_at DESC, id DESC)
        WHERE joint_incident_id IS NOT NULL;

      ALTER TABLE improvement_actions ENABLE ROW LEVEL SECURITY; ALTER TABLE improvement_actions FORCE ROW LEVEL SECURITY;
      -- An action names its organisation's own incident and user only: checked here, before the foreign keys (which
      -- read past row-level security), so an insert cannot probe whether another organisation's ids exist.
      CREATE POLICY improvement_actions_owner ON improvement_actions USING (org_id = hub_current_org())
        WITH CHECK (org_id = hub_current_org()
                    AND EXISTS (SELECT 1 FROM users u WHERE u.id = owner_user_id AND u.org_id = hub_current_org())
                    AND (incident_id IS NULL OR EXISTS (SELECT 1 FROM incidents i WHERE i.id = incident_id AND i.org_id = hub_current_org())));
      GRANT SELECT, INSERT, UPDATE ON improvement_actions TO hub_app;
      -- The grant recomputation (the hook below, as the owner role) reads the actions of the joint incident in scope.
      CREATE POLICY improvement_actions_sync_read ON improvement_actions FOR SELECT TO CURRENT_USER
        USING (joint_incident_id = hub_joint_scope());
      CREATE POLICY improvement_actions_shared_read ON improvement_actions FOR SELECT TO CURRENT_USER
        USING (hub_reads_shared() AND hub_granted('improvement_action', id, org_id));

      INSERT INTO shareable_types (type, container_type, table_name, container_column)
        VALUES ('improvement_action', 'joint_incident', 'improvement_actions', 'joint_incident_id');

      -- A joint-sourced action: its organisation is the joint incident's coordinator or an accepted participant, and
      -- it is an exercise exactly when the joint incident is. An incident-sourced one is never marked an exercise here.
      CREATE FUNCTION hub_improvement_action_stamp() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          j record;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          IF NEW.joint_incident_id IS NULL THEN
            NEW.exercise := false;
            RETURN NEW;
          END IF;
          PERFORM set_config('hub.joint_scope', NEW.joint_incident_id::text, true), set_config('hub.reads', '', true);
          SELECT id, org_id, exercise INTO j FROM joint_incidents WHERE id = NEW.joint_incident_id;
          IF NOT FOUND OR (j.org_id <> NEW.org_id AND NOT EXISTS (
               SELECT 1 FROM joint_participants p WHERE p.joint_incident_id = j.id AND p.participant_org_id = NEW.org_id
                  AND p.state = 'accepted')) THEN
            RAISE EXCEPTION 'organisation % takes no part in joint incident %', NEW.org_id, NEW.joint_incident_id
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          NEW.exercise := j.exercise;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN NEW;
        END $$;
      REVOKE ALL ON FUNCTION hub_improvement_action_stamp() FROM PUBLIC;
      CREATE TRIGGER improvement_actions_stamp BEFORE INSERT ON improvement_actions
        FOR EACH ROW EXECUTE FUNCTION hub_improvement_action_stamp();
      -- The source never moves once written.
      CREATE FUNCTION hub_improvement_action_source_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (NEW.org_id, NEW.source_type, NEW.incident_id, NEW.joint_incident_id, NEW.exercise)
             IS DISTINCT FROM (OLD.org_id, OLD.source_type, OLD.incident_id, OLD.joint_incident_id, OLD.exercise) THEN
            RAISE EXCEPTION 'an improvement action keeps its owner and source' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER improvement_actions_source_fixed BEFORE UPDATE ON improvement_actions
        FOR EACH ROW EXECUTE FUNCTION hub_improvement_action_source_fixed();
      CREATE TRIGGER improvement_actions_access_sort AFTER UPDATE OF updated_at ON improvement_actions
        FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION hub_access_follow_joint_object('improvement_action');

      -- The hook (joint_sync_hooks): the coordinator reads the follow-through its owner shares with it, while the
      -- owner is an accepted (active) participant and the action is not RED. Runs as the owner role in the joint
      -- incident's scope, after the core deleted every 'joint:<id>' derived row.
      CREATE FUNCTION hub_sync_joint_actions(p_joint uuid) RETURNS void
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        BEGIN
          INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
          SELECT a.org_id, 'improvement_action', a.id, 'joint_incident', p_joint, 'org:' || j.org_id::text, NULL,
                 'joint:' || p_joint::text, '{}', a.updated_at
            FROM improvement_actions a JOIN joint_incidents j ON j.id = a.joint_incident_id
           WHERE a.joint_incident_id = p_joint AND a.share_with_coordinator AND a.marking <> 'RED' AND a.org_id <> j.org_id
             AND a.org_id = ANY (hub_joint_accepted_orgs(p_joint));
        END $$;
      REVOKE ALL ON FUNCTION hub_sync_joint_actions(uuid) FROM PUBLIC;
      INSERT INTO joint_sync_hooks (function_name) VALUES ('hub_sync_joint_actions');

      -- What the coordinator reads of an action shared with it: the owner by its organisation (the coordinator
      -- knows who a pseudonymous participant is; nobody else holds a grant on an action).
      CREATE VIEW shared_improvement_actions AS
      SELECT a.id, a.org_id, (SELECT o.name FROM organisations o WHERE o.id = a.org_id) AS author_label, a.owner_user_id,
             a.source_type, a.joint_incident_id, a.kind, a.title, a.description, a.due_on, a.marking, a.state, a.drop_reason,
             a.done_at, a.share_with_coordinator, a.evidence, a.exercise, a.created_at, a.updated_at, a.version
        FROM improvement_actions a
       WHERE a.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('improvement_action', a.id, a.org_id);
      GRANT SELECT ON shared_improvement_actions TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP VIEW shared_improvement_actions;
      DELETE FROM joint_sync_hooks WHERE function_name = 'hub_sync_joint_actions';
      DROP FUNCTION hub_sync_joint_actions(uuid);
      DELETE FROM access WHERE object_type = 'improvement_action';
      DROP TABLE improvement_actions;
      DROP FUNCTION hub_improvement_action_stamp(), hub_improvement_action_source_fixed();
      DELETE FROM shareable_types WHERE type = 'improvement_action';
    `);
  }
}
