import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Security fixes to joint tasks (migration 1765353600000), from the review of issue 11:
 *
 * - `shared_joint_tasks.history`: a history entry's note (a decline reason, an outcome) reaches only the readers who
 *   were party to it. Entries whose actor is the task's current assignee participation or its assigner keep their
 *   note; any other entry (a former assignee's decline, say) shows `note` null, except to the coordinator, who is
 *   party to every task of its joint incident. The assigner reads its own row (every note) from the table.
 * - `hub_move_joint_task` checks membership first and answers NULL state and version for every result but
 *   `moved`, `stale` and `state` (those reach the assignee only): an outsider or a former assignee learns nothing.
 * - Writes as hub_app are held to the application's rules: INSERT needs the coordinator or the accepted `lead`
 *   participant and an open joint incident; UPDATE by the assigner too (`hub_joint_task_writable`, which locks the
 *   joint incident row FOR SHARE, so a concurrent close waits or wins, never interleaves). The trigger
 *   `joint_tasks_guard` lets hub_app insert a proposed task only, and update only by cancelling (an open task) or
 *   reassigning (back to proposed); it writes the history entry, the version and updated_at itself, so no forged
 *   actor or rewritten entry gets in. The assignee's moves go through the definer function as before.
 * - `organisations.time_zone` is no longer selectable by hub_app: a pseudonymous participant's zone would narrow
 *   down who it is. hub_app gets SELECT on every other column; an organisation reads its own zone (the operator any)
 *   through `hub_org_time_zone`, other organisations' zones only through `hub_joint_party`. A column added to
 *   organisations later needs its own column grant.
 */
export class TaskHardening1765958400000 implements MigrationInterface {
  name = 'TaskHardening1765958400000';

  async up(q: QueryRunner): Promise<void> {
    const [{ owner }] = await q.query('SELECT quote_literal(current_user) AS owner');
    await q.query(`
      -- Whether the caller may write tasks of this joint incident: it is the coordinator or its accepted lead
      -- participant, and the joint incident is not closed. Locks the joint incident row FOR SHARE, so closing waits
      -- for the writing transaction (or, committed first, is seen here).
      CREATE FUNCTION hub_joint_task_writable(p_joint uuid) RETURNS boolean
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_ok boolean := false;
          v_phase text;
          v_coordinator uuid;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          IF hub_joint_member(p_joint) THEN
            PERFORM set_config('hub.joint_scope', p_joint::text, true);
            SELECT j.phase, j.org_id INTO v_phase, v_coordinator FROM joint_incidents j WHERE j.id = p_joint FOR SHARE;
            v_ok := v_phase IS NOT NULL AND v_phase <> 'closed' AND (v_coordinator = hub_current_org() OR EXISTS (
              SELECT 1 FROM joint_participants p
               WHERE p.joint_incident_id = p_joint AND p.participant_org_id = hub_current_org() AND p.state = 'accepted' AND p.role = 'lead'));
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_ok;
        END $$;
      REVOKE ALL ON FUNCTION hub_joint_task_writable(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_joint_task_writable(uuid) TO hub_app;

      -- The definer functions lock the joint incident row in its scope (FOR SHARE needs an UPDATE policy's USING);
      -- WITH CHECK false: this policy lets no row be written.
      CREATE POLICY joint_incidents_scope_lock ON joint_incidents FOR UPDATE TO CURRENT_USER
        USING (id = hub_joint_scope()) WITH CHECK (false);

      DROP POLICY joint_tasks_owner ON joint_tasks;
      CREATE POLICY joint_tasks_owner ON joint_tasks FOR SELECT USING (org_id = hub_current_org());
      CREATE POLICY joint_tasks_assign ON joint_tasks FOR INSERT
        WITH CHECK (org_id = hub_current_org() AND hub_joint_task_writable(joint_incident_id));
      CREATE POLICY joint_tasks_assigner_update ON joint_tasks FOR UPDATE USING (org_id = hub_current_org())
        WITH CHECK (org_id = hub_current_org() AND hub_joint_task_writable(joint_incident_id));

      -- hub_app's writes: a new task is proposed, with the assign entry; a change is a cancellation of an open task or a
      -- reassignment (back to proposed), nothing else of the row changes, and the history entry is written here.
      -- The definer paths (current_user the owner: hub_move_joint_task) are trusted.
      CREATE FUNCTION hub_joint_tasks_guard() RETURNS trigger
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        DECLARE
          v_mutable text[] := ARRAY['state', 'state_reason', 'outcome', 'assignee_participant_id', 'assignee_contact_id', 'history', 'version', 'updated_at'];
          v_action text;
        BEGIN
          IF current_user = ${owner} THEN RETURN NEW; END IF;
          IF TG_OP = 'INSERT' THEN
            IF NEW.state <> 'proposed' OR NEW.state_reason IS NOT NULL OR NEW.outcome IS NOT NULL THEN
              RAISE EXCEPTION 'a task starts proposed' USING ERRCODE = 'insufficient_privilege';
            END IF;
            NEW.version := 1;
            NEW.history := jsonb_build_array(jsonb_build_object(
              'at', now(), 'action', 'assign', 'from', NULL, 'to', 'proposed', 'actor', NEW.author_participant_id, 'note', NULL));
            RETURN NEW;
          END IF;
          IF (to_jsonb(NEW) - v_mutable) IS DISTINCT FROM (to_jsonb(OLD) - v_mutable) THEN
            RAISE EXCEPTION 'the assigner changes the state and the assignee of a task only' USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF NEW.state = 'cancelled' AND OLD.state IN ('proposed', 'accepted', 'in_progress')
             AND NEW.assignee_participant_id = OLD.assignee_participant_id AND NEW.assignee_contact_id IS NOT DISTINCT FROM OLD.assignee_contact_id
             AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome THEN
            v_action := 'cancel';
          ELSIF NEW.state = 'proposed' AND OLD.state IN ('proposed', 'accepted', 'in_progress', 'declined')
             AND NEW.state_reason IS NOT NULL AND NEW.outcome IS NULL THEN
            v_action := 'reassign';
          ELSE
            RAISE EXCEPTION 'the assigner cancels or reassigns a task only' USING ERRCODE = 'insufficient_privilege';
          END IF;
          NEW.history := OLD.history || jsonb_build_array(jsonb_build_object(
            'at', now(), 'action', v_action, 'from', OLD.state, 'to', NEW.state, 'actor', OLD.author_participant_id, 'note', NEW.state_reason));
          NEW.version := OLD.version + 1;
          NEW.updated_at := now();
          RETURN NEW;
        END $$;
      -- After joint_tasks_author (triggers fire in name order), so the assign entry names the stamped participation.
      CREATE TRIGGER joint_tasks_guard BEFORE INSERT OR UPDATE ON joint_tasks FOR EACH ROW EXECUTE FUNCTION hub_joint_tasks_guard();
    `);

    await q.query(`
      DROP FUNCTION hub_move_joint_task(uuid, uuid, integer, text, text);
      -- As before, but membership first, the joint incident row locked FOR SHARE for the phase check, and NULL state
      -- and version unless the caller is the task's assignee (results moved, stale and state).
      CREATE FUNCTION hub_move_joint_task(p_joint uuid, p_task uuid, p_version integer, p_action text, p_note text)
        RETURNS TABLE (result text, state text, version integer)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        #variable_conflict use_column
        DECLARE
          t record;
          v_participant uuid;
          v_phase text;
          v_from text;
          v_to text;
          v_result text;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          IF NOT hub_joint_member(p_joint) THEN
            PERFORM set_config('hub.reads', coalesce(v_prev_reads, ''), true);
            RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::integer;
            RETURN;
          END IF;
          PERFORM set_config('hub.joint_scope', p_joint::text, true);
          SELECT jt.id, jt.org_id, jt.state, jt.version, jt.assignee_participant_id INTO t
            FROM joint_tasks jt WHERE jt.id = p_task AND jt.joint_incident_id = p_joint FOR UPDATE;
          SELECT p.id INTO v_participant FROM joint_participants p
           WHERE p.id = t.assignee_participant_id AND p.joint_incident_id = p_joint AND p.state = 'accepted'
             AND p.participant_org_id = hub_current_org();
          IF t.id IS NULL OR v_participant IS NULL OR NOT (t.org_id = hub_current_org() OR EXISTS (
               SELECT 1 FROM access a WHERE a.object_id = t.id AND a.object_type = 'joint_task' AND a.owner_org_id = t.org_id
                  AND a.grantee = ANY (hub_current_grantees()))) THEN
            v_result := 'not_found';
          ELSE
            SELECT j.phase INTO v_phase FROM joint_incidents j WHERE j.id = p_joint FOR SHARE;
            IF v_phase IS DISTINCT FROM 'closed' AND v_phase IS NOT NULL THEN
              IF t.version <> p_version THEN
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
            ELSE
              v_result := 'closed';
            END IF;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          IF v_result IN ('moved', 'stale', 'state') THEN
            RETURN QUERY SELECT v_result, coalesce(v_to, t.state), CASE WHEN v_result = 'moved' THEN t.version + 1 ELSE t.version END;
          ELSE
            RETURN QUERY SELECT v_result, NULL::text, NULL::integer;
          END IF;
        END $$;
      REVOKE ALL ON FUNCTION hub_move_joint_task(uuid, uuid, integer, text, text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_move_joint_task(uuid, uuid, integer, text, text) TO hub_app;

      -- As before, but the notes of history entries the reader was not party to are null (see the header).
      CREATE OR REPLACE VIEW shared_joint_tasks AS
      SELECT t.id,
             CASE WHEN t.author_participant_id IS NULL OR t.author_pseudonym IS NULL OR hub_joint_coordinator(t.joint_incident_id)
                  THEN t.org_id ELSE t.author_participant_id END AS org_id,
             t.author_participant_id, t.joint_incident_id, t.assignee_participant_id,
             CASE WHEN (SELECT pt.revealed FROM hub_joint_party(t.joint_incident_id, t.assignee_participant_id) pt)
                  THEN t.assignee_contact_id END AS assignee_contact_id,
             t.title, t.description, t.marking, t.priority, t.audience, NULL::uuid[] AS audience_users, t.due_at, t.due_time_zone,
             t.state, t.state_reason, t.outcome,
             CASE WHEN hub_joint_coordinator(t.joint_incident_id) THEN t.history ELSE (
               SELECT coalesce(jsonb_agg(CASE WHEN (h.e->>'actor')::uuid IS NOT DISTINCT FROM t.assignee_participant_id
                                                OR (h.e->>'actor')::uuid IS NOT DISTINCT FROM t.author_participant_id
                                              THEN h.e ELSE jsonb_set(h.e, '{note}', 'null'::jsonb) END ORDER BY h.n), '[]'::jsonb)
                 FROM jsonb_array_elements(t.history) WITH ORDINALITY AS h (e, n)) END AS history,
             NULL::uuid AS created_by, t.created_at, t.updated_at, t.version
        FROM joint_tasks t
       WHERE t.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('joint_task', t.id, t.org_id);
    `);

    const [{ columns }] = await q.query(
      "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'organisations' AND column_name <> 'time_zone'",
    );
    await q.query(`
      REVOKE SELECT ON organisations FROM hub_app;
      -- xmin too: TenantTransaction.provisionAs reads it to tell a row its own transaction created.
      GRANT SELECT (${columns}, xmin) ON organisations TO hub_app;
      -- The caller's own organisation's zone (any organisation's, for the operator); NULL otherwise.
      CREATE FUNCTION hub_org_time_zone(p_org uuid) RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT o.time_zone FROM organisations o WHERE o.id = p_org AND (o.id = hub_current_org() OR hub_is_operator())
        $$;
      REVOKE ALL ON FUNCTION hub_org_time_zone(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_org_time_zone(uuid) TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION hub_org_time_zone(uuid);
      REVOKE SELECT ON organisations FROM hub_app;
      GRANT SELECT ON organisations TO hub_app;

      CREATE OR REPLACE VIEW shared_joint_tasks AS
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
      DROP FUNCTION hub_move_joint_task(uuid, uuid, integer, text, text);
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

      REVOKE ALL ON FUNCTION hub_move_joint_task(uuid, uuid, integer, text, text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_move_joint_task(uuid, uuid, integer, text, text) TO hub_app;

      DROP TRIGGER joint_tasks_guard ON joint_tasks;
      DROP FUNCTION hub_joint_tasks_guard();
      DROP POLICY joint_tasks_assigner_update ON joint_tasks;
      DROP POLICY joint_tasks_assign ON joint_tasks;
      DROP POLICY joint_tasks_owner ON joint_tasks;
      CREATE POLICY joint_tasks_owner ON joint_tasks USING (org_id = hub_current_org())
        WITH CHECK (org_id = hub_current_org() AND hub_joint_member(joint_incident_id));
      DROP POLICY joint_incidents_scope_lock ON joint_incidents;
      DROP FUNCTION hub_joint_task_writable(uuid);
    `);
  }
}
