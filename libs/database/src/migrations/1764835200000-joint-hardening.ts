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
 * - An audience a participant names (`hub_joint_audience`) resolves a pseudonymous participant (not the caller) to
 *   its participation only, for a caller that is not the coordinator; the author's row then keeps that participation
 *   id in `audience_orgs` (its own row, which it reads), and the grant recomputation reaches the organisation behind
 *   each chosen participation (`audience_participants`).
 * - `hub_joint_scope()` answers only where the owner role runs (the definer functions that set the scope): a scope
 *   `hub_app` sets itself with set_config no longer widens what the owner role's `*_sync_read`,
 *   `points_of_contact_joint_sync` and `access_joint_sync` policies let an owner-owned view read. No view reads
 *   through them today (each repeats its grant condition), so this is defence in depth.
 * - `shared_observables` masks the owner of an observable read only through onward grants, as `shared_incidents`
 *   does since migration 1764748800000: a passed incident's observables named the incident's owner, a participant
 *   under a pseudonym included, to every other participant.
 */
const SHARED_OBSERVABLES_COLUMNS = `o.incident_id, o.type, o.value, o.first_seen, o.last_seen, o.marking, o.pap, o.version,
             NULL::uuid AS created_by, o.created_at, o.updated_at
        FROM observables o`;
/**
 * hub_sync_joint_access as migration 1764662400000 wrote it, but for the condition that an accepted participant's
 * organisation `o` is in an update's chosen audience `u`.
 */
function syncJointAccessSql(chosen: string): string {
  return `
      CREATE OR REPLACE FUNCTION hub_sync_joint_access(p_joint uuid) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          j record;
          v_via text := 'joint:' || p_joint::text;
          v_accepted uuid[];
          v_contact_users uuid[];
          -- A function's SET clause may not name a placeholder setting for this role, so the scope is set here and
          -- restored before returning (an error rolls both back with the (sub)transaction). Shared reads are off
          -- inside, so no shared-read policy (hub_joint_member reads joint_participants) runs as the owner role.
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.joint_scope', p_joint::text, true), set_config('hub.reads', '', true);
          SELECT id, org_id, marking, updated_at INTO j FROM joint_incidents WHERE id = p_joint;
          IF NOT FOUND OR hub_current_org() IS NULL OR (j.org_id <> hub_current_org() AND NOT EXISTS (
               SELECT 1 FROM joint_participants p WHERE p.joint_incident_id = p_joint AND p.participant_org_id = hub_current_org())) THEN
            RAISE EXCEPTION 'joint incident % not found', p_joint USING ERRCODE = 'no_data_found';
          END IF;

          SELECT coalesce(array_agg(p.participant_org_id), '{}') INTO v_accepted
            FROM joint_participants p JOIN organisations o ON o.id = p.participant_org_id AND o.status = 'active'
           WHERE p.joint_incident_id = p_joint AND p.state = 'accepted';
          -- RED joint incident and decisions: the users each accepted participant named as its points of contact.
          SELECT coalesce(array_agg(DISTINCT c.user_id), '{}') INTO v_contact_users
            FROM joint_participants p JOIN points_of_contact c ON c.id = ANY (p.points_of_contact) AND c.org_id = p.participant_org_id
           WHERE p.joint_incident_id = p_joint AND p.state = 'accepted' AND c.user_id IS NOT NULL;

          DELETE FROM access WHERE via = v_via AND release_id IS NULL;

          INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
          SELECT j.org_id, 'joint_incident', j.id, 'joint_incident', j.id, g, NULL, v_via, '{}', j.updated_at
            FROM hub_joint_grantees(j.marking, v_accepted, v_contact_users) AS g;

          INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
          SELECT d.org_id, 'joint_decision', d.id, 'joint_incident', j.id, g, NULL, v_via, '{}', d.created_at
            FROM joint_decisions d CROSS JOIN LATERAL hub_joint_grantees(d.marking, v_accepted, v_contact_users) AS g
           WHERE d.joint_incident_id = p_joint;

          -- Updates and advisories: the audience's accepted participants but the author, and the coordinator when
          -- a participant wrote it; RED: the audience_users among the organisations those rules name.
          INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
          SELECT u.org_id, 'joint_update', u.id, 'joint_incident', j.id, g, NULL, v_via, '{}', u.updated_at
            FROM joint_updates u
            CROSS JOIN LATERAL (
              SELECT coalesce(array_agg(o), '{}') AS orgs FROM (
                SELECT o FROM unnest(v_accepted) AS o
                 WHERE u.audience = 'all' OR (u.audience = 'chosen' AND ${chosen})
                UNION SELECT j.org_id) t
               WHERE o <> u.org_id
            ) a
            CROSS JOIN LATERAL hub_joint_grantees(u.marking, a.orgs, u.audience_users) AS g
           WHERE u.joint_incident_id = p_joint;

          -- Joint observables: every accepted participant but the author, and the coordinator when a participant
          -- wrote it; RED: its audience_users among those.
          INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via, fields, sort_at)
          SELECT ob.org_id, 'joint_observable', ob.id, 'joint_incident', j.id, g, NULL, v_via, '{}', ob.updated_at
            FROM joint_observables ob
            CROSS JOIN LATERAL (
              SELECT coalesce(array_agg(o), '{}') AS orgs FROM (SELECT unnest(v_accepted) AS o UNION SELECT j.org_id) t
               WHERE o <> ob.org_id
            ) a
            CROSS JOIN LATERAL hub_joint_grantees(ob.marking, a.orgs, ob.audience_users) AS g
           WHERE ob.joint_incident_id = p_joint;

          -- >>> The onward AMBER pass (linked member incidents passed on to the participants) is written here by
          -- the jointobj migration: it replaces hub_sync_joint_onward, which runs in this scope after the rows above.
          PERFORM hub_sync_joint_onward(p_joint, v_accepted);
          -- <<<

          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;`;
}
/** As migration 1764662400000 decided it: the organisation is in audience_orgs. */
const CHOSEN_BY_ORGANISATION = 'o = ANY (u.audience_orgs)';
/** Also through the participation the author chose (audience_orgs then holds it in place of a pseudonymous organisation). */
const CHOSEN_BY_PARTICIPATION = `(o = ANY (u.audience_orgs) OR o IN (
                       SELECT cp.participant_org_id FROM joint_participants cp
                        WHERE cp.joint_incident_id = p_joint AND cp.id = ANY (u.audience_participants)))`;
const SHARED_OBSERVABLES_WHERE = `o.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('observable', o.id, o.org_id)`;
export class JointHardening1764835200000 implements MigrationInterface {
  name = 'JointHardening1764835200000';

  async up(q: QueryRunner): Promise<void> {
    const [{ owner }] = await q.query('SELECT quote_literal(current_user) AS owner');
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_joint_scope() RETURNS uuid LANGUAGE sql STABLE
        AS $$ SELECT CASE WHEN current_user = ${owner} THEN NULLIF(current_setting('hub.joint_scope', true), '')::uuid END $$;
    `);
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

    await q.query(syncJointAccessSql(CHOSEN_BY_PARTICIPATION));
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_joint_audience(p_joint uuid, p_ids uuid[])
        RETURNS TABLE (given uuid, participant_id uuid, org_id uuid)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
          RETURN QUERY
            SELECT g, p.id,
                   CASE WHEN p.pseudonym IS NULL OR v_coordinator OR p.participant_org_id = hub_current_org() THEN p.participant_org_id END
              FROM unnest(p_ids) AS g
              JOIN joint_participants p ON p.joint_incident_id = p_joint AND p.state = 'accepted'
               AND (p.id = g OR (p.participant_org_id = g AND (p.pseudonym IS NULL OR v_coordinator OR p.participant_org_id = hub_current_org())));
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;
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
      CREATE OR REPLACE FUNCTION hub_joint_scope() RETURNS uuid LANGUAGE sql STABLE
        AS $$ SELECT NULLIF(current_setting('hub.joint_scope', true), '')::uuid $$;
    `);
    await q.query(syncJointAccessSql(CHOSEN_BY_ORGANISATION));
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_joint_audience(p_joint uuid, p_ids uuid[])
        RETURNS TABLE (given uuid, participant_id uuid, org_id uuid)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
          RETURN QUERY
            SELECT g, p.id,
                   CASE WHEN p.pseudonym IS NULL OR v_coordinator OR p.participant_org_id = hub_current_org() THEN p.participant_org_id END
              FROM unnest(p_ids) AS g
              JOIN joint_participants p ON p.joint_incident_id = p_joint AND p.state = 'accepted'
               AND (p.id = g OR (p.participant_org_id = g AND (p.pseudonym IS NULL OR v_coordinator OR p.participant_org_id = hub_current_org())));
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;
    `);
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
