import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hardening of the joint workspace after its security review (issue 10).
 *
 * - The owner of a joint incident's or an agreement's management-log chain is its coordinator
 *   (`hub_log_subject_owner`, the hook of migration 1764489600000, returned NULL for both, so whoever appended
 *   first owned the chain). The joint incident is read in its own scope, as the grant recomputation reads it.
 * - A joint incident's chain is the coordinator's record: it names every participant's organisation, pseudonymous
 *   ones included (invitations, answers, removals and their reasons, `actor_org_id` of every entry a participant
 *   appends). Its writers (the participants) append to it and read back only the entries they appended.
 * - The outbox keys of a change (`hub_joint_object_grantees`) name a pseudonymous participant by its participation
 *   (`participant:<id>`) to everyone but the coordinator and itself: the outbox row belongs to the organisation
 *   that made the change, which reads it. An organisation that is not (or no longer) an accepted participant gets
 *   only the coordinator's and its own key.
 * - `shared_observables` masks the owner of an observable read only through onward grants, as `shared_incidents`
 *   does since migration 1764748800000: a passed incident's observables named the incident's owner, a participant
 *   under a pseudonym included, to every other participant.
 */
const SHARED_OBSERVABLES_COLUMNS = `o.incident_id, o.type, o.value, o.first_seen, o.last_seen, o.marking, o.pap, o.version,
             NULL::uuid AS created_by, o.created_at, o.updated_at
        FROM observables o`;
const SHARED_OBSERVABLES_WHERE = `o.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('observable', o.id, o.org_id)`;
export class JointHardening1764835200000 implements MigrationInterface {
  name = 'JointHardening1764835200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Runs inside hub_log_open, as the owner role: agreements through agreements_owner_lookup, the joint incident
      -- through its sync_read policy in its own scope (set here, restored before returning). NULL for a subject
      -- that does not exist: nothing to protect there.
      CREATE OR REPLACE FUNCTION hub_log_subject_owner(p_type text, p_subject uuid) RETURNS uuid
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        DECLARE
          v_owner uuid;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          IF p_type = 'agreement' THEN
            SELECT a.org_id INTO v_owner FROM agreements a WHERE a.id = p_subject;
          ELSIF p_type = 'joint_incident' THEN
            PERFORM set_config('hub.joint_scope', p_subject::text, true), set_config('hub.reads', '', true);
            SELECT j.org_id INTO v_owner FROM joint_incidents j WHERE j.id = p_subject;
            PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          END IF;
          RETURN v_owner;
        END $$;
      REVOKE ALL ON FUNCTION hub_log_subject_owner(text, uuid) FROM PUBLIC;

      -- Whether a chain's subject is a joint incident (whose chain its writers may not read beyond their own entries).
      CREATE FUNCTION hub_log_joint_subject(p_type text, p_subject uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_found boolean;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          IF p_type IS DISTINCT FROM 'joint_incident' THEN RETURN false; END IF;
          PERFORM set_config('hub.joint_scope', p_subject::text, true), set_config('hub.reads', '', true);
          v_found := EXISTS (SELECT 1 FROM joint_incidents j WHERE j.id = p_subject);
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_found;
        END $$;
      REVOKE ALL ON FUNCTION hub_log_joint_subject(text, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_log_joint_subject(text, uuid) TO hub_app;

      DROP POLICY management_log_read ON management_log;
      CREATE POLICY management_log_read ON management_log FOR SELECT
        USING (org_id = hub_current_org()
               OR (hub_log_writer(subject_type, subject_id)
                   AND (actor_org_id = hub_current_org() OR NOT hub_log_joint_subject(subject_type, subject_id))));
    `);

    await q.query(`
      CREATE OR REPLACE FUNCTION hub_joint_object_grantees(p_joint uuid, p_object uuid) RETURNS text[]
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_owner uuid;
          v_coordinator uuid;
          v_me uuid := hub_current_org();
          v_state text;
          v_keys text[] := '{}';
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.joint_scope', p_joint::text, true), set_config('hub.reads', '', true);
          SELECT j.org_id INTO v_coordinator FROM joint_incidents j WHERE j.id = p_joint;
          IF v_me IS NOT NULL AND v_coordinator IS NOT NULL AND v_coordinator <> v_me THEN
            SELECT p.state INTO v_state FROM joint_participants p
             WHERE p.joint_incident_id = p_joint AND p.participant_org_id = v_me
             ORDER BY (p.state = 'accepted') DESC, p.invited_at DESC LIMIT 1;
          END IF;
          IF v_me IS NOT NULL AND (v_coordinator = v_me OR v_state IS NOT NULL) THEN
            SELECT o INTO v_owner FROM (
              SELECT j.org_id AS o FROM joint_incidents j WHERE j.id = p_object AND j.id = p_joint
              UNION ALL SELECT u.org_id FROM joint_updates u WHERE u.id = p_object AND u.joint_incident_id = p_joint
              UNION ALL SELECT d.org_id FROM joint_decisions d WHERE d.id = p_object AND d.joint_incident_id = p_joint
              UNION ALL SELECT ob.org_id FROM joint_observables ob WHERE ob.id = p_object AND ob.joint_incident_id = p_joint) t
             LIMIT 1;
            IF v_owner IS NOT NULL THEN
              v_keys := array(SELECT DISTINCT k FROM (
                SELECT a.grantee AS k FROM access a WHERE a.object_id = p_object AND a.owner_org_id = v_owner
                UNION ALL SELECT 'org:' || v_owner::text) t ORDER BY k);
              IF v_coordinator <> v_me AND v_state = 'accepted' THEN
                -- Another participant's change: a pseudonymous participant (not the caller) by its participation.
                v_keys := array(SELECT DISTINCT coalesce(
                                  (SELECT 'participant:' || p.id::text FROM joint_participants p
                                    WHERE p.joint_incident_id = p_joint AND 'org:' || p.participant_org_id::text = k
                                      AND p.pseudonym IS NOT NULL AND p.participant_org_id <> v_me AND p.state = 'accepted'
                                    ORDER BY p.invited_at DESC LIMIT 1), k) AS key
                                  FROM unnest(v_keys) AS k ORDER BY key);
              ELSIF v_coordinator <> v_me THEN
                -- Invited, declined or removed: who else reads the object is none of its business.
                v_keys := array(SELECT k FROM unnest(v_keys) AS k WHERE k IN ('org:' || v_coordinator::text, 'org:' || v_me::text) ORDER BY k);
              END IF;
            END IF;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_keys;
        END $$;
      REVOKE ALL ON FUNCTION hub_joint_object_grantees(uuid, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_joint_object_grantees(uuid, uuid) TO hub_app;
    `);

    await q.query(`
      CREATE OR REPLACE VIEW shared_observables AS
      SELECT o.id,
             CASE WHEN g.via_only THEN coalesce(hub_onward_owner_alias(g.vias, o.org_id), o.org_id) ELSE o.org_id END AS org_id,
             ${SHARED_OBSERVABLES_COLUMNS}
        CROSS JOIN LATERAL (
          SELECT coalesce(bool_and(a.release_id IS NULL), false) AS via_only,
                 array_agg(DISTINCT a.via) FILTER (WHERE a.via IS NOT NULL) AS vias
            FROM access a
           WHERE a.object_id = o.id AND a.object_type = 'observable' AND a.owner_org_id = o.org_id
             AND a.grantee = ANY (hub_current_grantees())
        ) g
       WHERE ${SHARED_OBSERVABLES_WHERE};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW shared_observables AS
      SELECT o.id, o.org_id, ${SHARED_OBSERVABLES_COLUMNS}
       WHERE ${SHARED_OBSERVABLES_WHERE};
    `);
    await q.query(`
      DROP POLICY management_log_read ON management_log;
      CREATE POLICY management_log_read ON management_log FOR SELECT
        USING (org_id = hub_current_org() OR hub_log_writer(subject_type, subject_id));
      DROP FUNCTION hub_log_joint_subject(text, uuid);
      CREATE OR REPLACE FUNCTION hub_log_subject_owner(p_type text, p_subject uuid) RETURNS uuid
        LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$ SELECT NULL::uuid $$;
      CREATE OR REPLACE FUNCTION hub_joint_object_grantees(p_joint uuid, p_object uuid) RETURNS text[]
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_owner uuid;
          v_keys text[] := '{}';
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.joint_scope', p_joint::text, true), set_config('hub.reads', '', true);
          IF hub_current_org() IS NOT NULL AND (
               EXISTS (SELECT 1 FROM joint_incidents j WHERE j.id = p_joint AND j.org_id = hub_current_org())
               OR EXISTS (SELECT 1 FROM joint_participants p WHERE p.joint_incident_id = p_joint AND p.participant_org_id = hub_current_org())) THEN
            SELECT o INTO v_owner FROM (
              SELECT j.org_id AS o FROM joint_incidents j WHERE j.id = p_object AND j.id = p_joint
              UNION ALL SELECT u.org_id FROM joint_updates u WHERE u.id = p_object AND u.joint_incident_id = p_joint
              UNION ALL SELECT d.org_id FROM joint_decisions d WHERE d.id = p_object AND d.joint_incident_id = p_joint
              UNION ALL SELECT ob.org_id FROM joint_observables ob WHERE ob.id = p_object AND ob.joint_incident_id = p_joint) t
             LIMIT 1;
            IF v_owner IS NOT NULL THEN
              v_keys := array(SELECT DISTINCT k FROM (
                SELECT a.grantee AS k FROM access a WHERE a.object_id = p_object AND a.owner_org_id = v_owner
                UNION ALL SELECT 'org:' || v_owner::text) t ORDER BY k);
            END IF;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_keys;
        END $$;
    `);
  }
}
