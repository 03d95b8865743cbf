import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cross-organisation tasks in a joint incident (issue 11 section 1): the shareable type `joint_task`.
 *
 * - A task is owned by the organisation that assigned it (`org_id`: the coordinator, or a participant taking part
 *   as `lead`), as an update is owned by its author. Its assignee is a participation (`assignee_participant_id`),
 *   never an organisation id in the row: a lead assigning to a pseudonymous participant reads its own row, and
 *   the row must not name the organisation behind the pseudonym. The hook and the definer functions below resolve
 *   the participation to its organisation.
 * - Its grants are derived (`hub_sync_joint_tasks`, a `joint_sync_hooks` hook): the assignee organisation and the
 *   coordinator, or with audience `all` every accepted participant; the assigner owns the row; RED reaches the
 *   named `audience_users` among those organisations only. A removed assignee is no longer accepted, so the
 *   recomputation that runs on every change drops its grants.
 * - The assignee organisation moves its task (accept, decline, start, done) through `hub_move_joint_task`, a
 *   definer function that checks the caller is the assignee, an accepted participant, that it reads the task,
 *   the state and the version. The assigner cancels and reassigns in its own row.
 * - `history` keeps every transition (actor by participation id, NULL for the coordination team), so whoever
 *   reads the task reads its history through the same view; the joint chain has the log entries.
 * - Due dates are the instant plus an IANA zone; organisations get a zone (`organisations.time_zone`), read across
 *   tenants only through `hub_joint_party`, which masks a pseudonymous participant (and its zone).
 */
export class JointTasks1765353600000 implements MigrationInterface {
  name = 'JointTasks1765353600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- A zone name the database knows (an IANA name such as Europe/Berlin, or UTC); offsets and POSIX strings are
      -- refused by the shape. Declared immutable for the checks below: the zone database changes with releases only.
      CREATE FUNCTION hub_is_time_zone(p_zone text) RETURNS boolean
        LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
        BEGIN
          IF p_zone IS NULL OR p_zone !~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$' OR length(p_zone) > 64 THEN RETURN false; END IF;
          PERFORM timestamptz '2000-01-01 00:00:00+00' AT TIME ZONE p_zone;
          RETURN true;
        EXCEPTION WHEN invalid_parameter_value THEN
          RETURN false;
        END $$;
      GRANT EXECUTE ON FUNCTION hub_is_time_zone(text) TO hub_app;

      ALTER TABLE organisations ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (hub_is_time_zone(time_zone));
      -- The organisation row is the operator's to write; its admin changes its own zone through this function only.
      CREATE POLICY organisations_own_time_zone ON organisations FOR UPDATE TO CURRENT_USER
        USING (id = hub_current_org()) WITH CHECK (id = hub_current_org());
      CREATE FUNCTION hub_set_own_time_zone(p_zone text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
          IF hub_current_org() IS NULL THEN RAISE EXCEPTION 'no organisation' USING ERRCODE = 'insufficient_privilege'; END IF;
          UPDATE organisations SET time_zone = p_zone, updated_at = now() WHERE id = hub_current_org();
        END $$;
      REVOKE ALL ON FUNCTION hub_set_own_time_zone(text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_set_own_time_zone(text) TO hub_app;

      CREATE TABLE joint_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- The assigner organisation owns the task.
        org_id uuid NOT NULL REFERENCES organisations (id),
        joint_incident_id uuid NOT NULL REFERENCES joint_incidents (id),
        assignee_participant_id uuid NOT NULL REFERENCES joint_participants (id),
        -- One of the assignee organisation's points of contact (checked by hub_joint_task_contact); no foreign key,
        -- so the assignee may still edit its directory.
        assignee_contact_id uuid,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        priority text NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
        audience text NOT NULL DEFAULT 'parties' CHECK (audience IN ('parties', 'all')),
        audience_users uuid[] NOT NULL DEFAULT '{}',
        due_at timestamptz NOT NULL,
        due_time_zone text NOT NULL CHECK (hub_is_time_zone(due_time_zone)),
        state text NOT NULL DEFAULT 'proposed'
          CHECK (state IN ('proposed', 'accepted', 'declined', 'in_progress', 'done', 'cancelled')),
        -- The reason of the last decline, cancellation or reassignment.
        state_reason text CHECK (length(state_reason) BETWEEN 1 AND 2000),
        outcome text CHECK (length(outcome) BETWEEN 1 AND 20000),
        history jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(history) = 'array'),
        -- Set by hub_joint_author_stamp from the assigner's participation (NULL for the coordination team).
        author_participant_id uuid REFERENCES joint_participants (id),
        author_pseudonym text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK (marking <> 'RED' OR cardinality(audience_users) > 0),
        CHECK (state <> 'done' OR outcome IS NOT NULL),
        CHECK (state NOT IN ('declined', 'cancelled') OR state_reason IS NOT NULL)
      );
      -- A joint incident's tasks and the coordinator's view of its joint incidents, soonest due first.
      CREATE INDEX joint_tasks_joint_idx ON joint_tasks (joint_incident_id, due_at, id);
      -- "My tasks": the tasks of the caller's participations, soonest due first.
      CREATE INDEX joint_tasks_assignee_idx ON joint_tasks (assignee_participant_id, due_at, id);

      ALTER TABLE joint_tasks ENABLE ROW LEVEL SECURITY; ALTER TABLE joint_tasks FORCE ROW LEVEL SECURITY;
      CREATE POLICY joint_tasks_owner ON joint_tasks USING (org_id = hub_current_org())
        WITH CHECK (org_id = hub_current_org() AND hub_joint_member(joint_incident_id));
      GRANT SELECT, INSERT, UPDATE ON joint_tasks TO hub_app;
      CREATE POLICY joint_tasks_sync_read ON joint_tasks FOR SELECT TO CURRENT_USER USING (joint_incident_id = hub_joint_scope());
      -- hub_move_joint_task (the assignee's transitions) writes the assigner's row in the joint incident's scope.
      CREATE POLICY joint_tasks_move ON joint_tasks FOR UPDATE TO CURRENT_USER
        USING (joint_incident_id = hub_joint_scope()) WITH CHECK (joint_incident_id = hub_joint_scope());
      CREATE POLICY joint_tasks_shared_read ON joint_tasks FOR SELECT TO CURRENT_USER
        USING (hub_reads_shared() AND hub_granted('joint_task', id, org_id));

      CREATE TRIGGER joint_tasks_author BEFORE INSERT OR UPDATE OF org_id, joint_incident_id, author_participant_id, author_pseudonym
        ON joint_tasks FOR EACH ROW EXECUTE FUNCTION hub_joint_author_stamp();

      INSERT INTO shareable_types (type, container_type, table_name, container_column)
        VALUES ('joint_task', 'joint_incident', 'joint_tasks', 'joint_incident_id');
    `);

    await q.query(`
      -- The hook (migration 1765267200000): runs as the owner role in the joint incident's scope, shared reads off,
      -- after the core deleted every derived row of the joint incident.
      CREATE FUNCTION hub_sync_joint_tasks(p_joint uuid) RETURNS void
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        DECLARE
          v_coordinator uuid;
          v_accepted uuid[] := hub_joint_accepted_orgs(p_joint);
        BEGIN
          SELECT j.org_id INTO v_coordinator FROM joint_incidents j WHERE j.id = p_joint;
          INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
          SELECT t.org_id, 'joint_task', t.id, 'joint_incident', p_joint, g, NULL, 'joint:' || p_joint::text, '{}', t.updated_at
            FROM joint_tasks t
            LEFT JOIN joint_participants ap ON ap.id = t.assignee_participant_id AND ap.joint_incident_id = p_joint AND ap.state = 'accepted'
            CROSS JOIN LATERAL (
              SELECT coalesce(array_agg(DISTINCT o), '{}') AS orgs FROM (
                SELECT o FROM unnest(v_accepted) AS o WHERE t.audience = 'all'
                UNION SELECT ap.participant_org_id WHERE ap.participant_org_id = ANY (v_accepted)
                UNION SELECT v_coordinator) x
               WHERE o IS NOT NULL AND o <> t.org_id
            ) a
            CROSS JOIN LATERAL hub_joint_grantees(t.marking, a.orgs, t.audience_users) AS g
           WHERE t.joint_incident_id = p_joint;
        END $$;
      REVOKE ALL ON FUNCTION hub_sync_joint_tasks(uuid) FROM PUBLIC;
      INSERT INTO joint_sync_hooks (function_name) VALUES ('hub_sync_joint_tasks');

      -- One party of a task (its assigner or assignee) as the caller may know it: a participation by its
      -- organisation (id, name, zone), or, pseudonymous to a caller that is neither the coordinator nor that
      -- participant, by its participation id and pseudonym with no zone. NULL participation: the coordination team.
      -- Nothing for a caller that is neither the coordinator nor an accepted participant of the joint incident.
      CREATE FUNCTION hub_joint_party(p_joint uuid, p_participant uuid)
        RETURNS TABLE (party_id uuid, label text, time_zone text, revealed boolean)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        #variable_conflict use_column
        DECLARE
          v_coordinator boolean;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          IF NOT hub_joint_member(p_joint) THEN
            PERFORM set_config('hub.reads', coalesce(v_prev_reads, ''), true);
            RETURN;
          END IF;
          v_coordinator := hub_joint_coordinator(p_joint);
          PERFORM set_config('hub.joint_scope', p_joint::text, true);
          IF p_participant IS NULL THEN
            RETURN QUERY SELECT o.id, o.name, o.time_zone, true
              FROM joint_incidents j JOIN organisations o ON o.id = j.org_id WHERE j.id = p_joint;
          ELSE
            RETURN QUERY SELECT CASE WHEN v.shown THEN o.id ELSE p.id END, CASE WHEN v.shown THEN o.name ELSE p.pseudonym END,
                                CASE WHEN v.shown THEN o.time_zone END, v.shown
              FROM joint_participants p JOIN organisations o ON o.id = p.participant_org_id
              CROSS JOIN LATERAL (SELECT (p.pseudonym IS NULL OR v_coordinator OR p.participant_org_id = hub_current_org()) AS shown) v
             WHERE p.id = p_participant AND p.joint_incident_id = p_joint;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;

      -- Whether a task may go to this point of contact: an entry of the assignee participation's organisation, and
      -- the caller may know that organisation (the coordinator, the participant itself, or a participant without a
      -- pseudonym). False otherwise, alike for "not theirs" and "you may not know": a refusal reveals nothing.
      CREATE FUNCTION hub_joint_task_contact(p_joint uuid, p_participant uuid, p_contact uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_ok boolean := false;
          v_coordinator boolean;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          IF hub_joint_member(p_joint) THEN
            v_coordinator := hub_joint_coordinator(p_joint);
            PERFORM set_config('hub.joint_scope', p_joint::text, true);
            v_ok := EXISTS (
              SELECT 1 FROM joint_participants p JOIN points_of_contact c ON c.org_id = p.participant_org_id AND c.id = p_contact
               WHERE p.id = p_participant AND p.joint_incident_id = p_joint AND p.state = 'accepted'
                 AND (p.pseudonym IS NULL OR v_coordinator OR p.participant_org_id = hub_current_org()));
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_ok;
        END $$;

      -- Whether a joint incident is an exercise, for its coordinator and its accepted participants (NULL otherwise).
      CREATE FUNCTION hub_joint_is_exercise(p_joint uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_exercise boolean;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          IF hub_joint_member(p_joint) THEN
            PERFORM set_config('hub.joint_scope', p_joint::text, true);
            SELECT j.exercise INTO v_exercise FROM joint_incidents j WHERE j.id = p_joint;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_exercise;
        END $$;

      -- The assignee organisation moves its task: accept or decline (with a reason) a proposed task, start an
      -- accepted one, finish one in progress (with an outcome note). The caller must be the assignee participation's
      -- organisation, an accepted participant, and read the task (its owner, or a grant naming it or its user: RED
      -- reaches named users only); the joint incident must be open and the version current. Answers 'moved',
      -- 'not_found', 'closed', 'stale' or 'state' (the transition does not apply to the task's state).
      CREATE FUNCTION hub_move_joint_task(p_joint uuid, p_task uuid, p_version integer, p_action text, p_note text)
        RETURNS TABLE (result text, state text, version integer)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        #variable_conflict use_column
        DECLARE
          t record;
          v_participant uuid;
          v_from text;
          v_to text;
          v_result text;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true), set_config('hub.joint_scope', p_joint::text, true);
          SELECT jt.id, jt.org_id, jt.state, jt.version, jt.assignee_participant_id INTO t
            FROM joint_tasks jt WHERE jt.id = p_task AND jt.joint_incident_id = p_joint FOR UPDATE;
          SELECT p.id INTO v_participant FROM joint_participants p
           WHERE p.id = t.assignee_participant_id AND p.joint_incident_id = p_joint AND p.state = 'accepted'
             AND p.participant_org_id = hub_current_org();
          IF t.id IS NULL OR v_participant IS NULL OR NOT (t.org_id = hub_current_org() OR EXISTS (
               SELECT 1 FROM access a WHERE a.object_id = t.id AND a.object_type = 'joint_task' AND a.owner_org_id = t.org_id
                  AND a.grantee = ANY (hub_current_grantees()))) THEN
            v_result := 'not_found';
          ELSIF (SELECT j.phase FROM joint_incidents j WHERE j.id = p_joint) = 'closed' THEN
            v_result := 'closed';
          ELSIF t.version <> p_version THEN
            v_result := 'stale';
          ELSE
            v_from := t.state;
            v_to := CASE
              WHEN p_action = 'accept' AND v_from = 'proposed' THEN 'accepted'
              WHEN p_action = 'decline' AND v_from = 'proposed' AND p_note IS NOT NULL THEN 'declined'
              WHEN p_action = 'start' AND v_from = 'accepted' THEN 'in_progress'
              WHEN p_action = 'done' AND v_from = 'in_progress' AND p_note IS NOT NULL THEN 'done' END;
            IF v_to IS NULL THEN
              v_result := 'state';
            ELSE
              UPDATE joint_tasks jt
                 SET state = v_to,
                     state_reason = CASE WHEN v_to = 'declined' THEN p_note ELSE jt.state_reason END,
                     outcome = CASE WHEN v_to = 'done' THEN p_note ELSE jt.outcome END,
                     history = jt.history || jsonb_build_array(jsonb_build_object(
                       'at', now(), 'action', p_action, 'from', v_from, 'to', v_to, 'actor', v_participant, 'note', p_note)),
                     version = jt.version + 1, updated_at = now()
               WHERE jt.id = p_task;
              v_result := 'moved';
            END IF;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN QUERY SELECT v_result, coalesce(v_to, t.state), CASE WHEN v_result = 'moved' THEN t.version + 1 ELSE t.version END;
        END $$;

      REVOKE ALL ON FUNCTION hub_joint_party(uuid, uuid), hub_joint_task_contact(uuid, uuid, uuid), hub_joint_is_exercise(uuid),
        hub_move_joint_task(uuid, uuid, integer, text, text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_joint_party(uuid, uuid), hub_joint_task_contact(uuid, uuid, uuid), hub_joint_is_exercise(uuid),
        hub_move_joint_task(uuid, uuid, integer, text, text) TO hub_app;
    `);

    await q.query(`
      -- Another organisation's task as its grants allow (the conditions repeated, so they fail closed). A
      -- pseudonymous assigner shows as its participation id unless the caller is the coordinator; the assignee is a
      -- participation id in every row (resolved per reader by hub_joint_party), and its contact only where the
      -- reader may know the assignee. Who else a RED task reaches is the assigner's business.
      CREATE VIEW shared_joint_tasks AS
      SELECT t.id,
             CASE WHEN t.author_participant_id IS NULL OR t.author_pseudonym IS NULL OR hub_joint_coordinator(t.joint_incident_id)
                  THEN t.org_id ELSE t.author_participant_id END AS org_id,
             t.author_participant_id, t.joint_incident_id, t.assignee_participant_id,
             CASE WHEN (SELECT pt.revealed FROM hub_joint_party(t.joint_incident_id, t.assignee_participant_id) pt)
                  THEN t.assignee_contact_id END AS assignee_contact_id,
             t.title, t.description, t.marking, t.priority, t.audience, NULL::uuid[] AS audience_users, t.due_at, t.due_time_zone,
             t.state, t.state_reason, t.outcome, t.history, NULL::uuid AS created_by, t.created_at, t.updated_at, t.version
        FROM joint_tasks t
       WHERE t.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('joint_task', t.id, t.org_id);
      GRANT SELECT ON shared_joint_tasks TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP VIEW shared_joint_tasks;
      DROP FUNCTION hub_move_joint_task(uuid, uuid, integer, text, text), hub_joint_is_exercise(uuid),
        hub_joint_task_contact(uuid, uuid, uuid), hub_joint_party(uuid, uuid);
      DELETE FROM joint_sync_hooks WHERE function_name = 'hub_sync_joint_tasks';
      DROP FUNCTION hub_sync_joint_tasks(uuid);
      DELETE FROM access WHERE object_type = 'joint_task';
      DELETE FROM releases WHERE object_type = 'joint_task';
      DELETE FROM shareable_types WHERE type = 'joint_task';
      DROP TABLE joint_tasks;
      DROP FUNCTION hub_set_own_time_zone(text);
      DROP POLICY organisations_own_time_zone ON organisations;
      ALTER TABLE organisations DROP COLUMN time_zone;
      DROP FUNCTION hub_is_time_zone(text);
    `);
  }
}
