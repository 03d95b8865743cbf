import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The joint workspace grows new shareable types (tasks, the lessons-learned review), each with its own derived
 * grants. Rather than each of them rewriting the two functions that know every joint table, this migration makes
 * both of them read the registry:
 *
 * - `shareable_types` names each type's table and container column, as libs/sharing's registry does (the
 *   registry e2e test holds the two equal). `hub_joint_object_owner(joint, object)` finds the owner of any
 *   registered type contained in a joint incident through those names, and `hub_joint_object_grantees` (the
 *   outbox keys of a change) uses it in place of its union of four tables.
 * - `hub_sync_joint_access` becomes a wrapper: the recomputation written by migration 1764835200000 runs as
 *   `hub_sync_joint_core`, then every hook named in `joint_sync_hooks` runs in the same scope (the joint
 *   incident's, shared reads off, as the owner role), in name order. A type's migration adds its function and its
 *   row; the hook deletes nothing (the core already deleted every `joint:<id>` derived row) and inserts its own.
 *   `hub_joint_accepted_orgs` and `hub_joint_contact_users` give hooks the two lists the core computes.
 */
export class JointWorkspaceHooks1765267200000 implements MigrationInterface {
  name = 'JointWorkspaceHooks1765267200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE shareable_types ADD COLUMN table_name text, ADD COLUMN container_column text;
      UPDATE shareable_types SET table_name = t.table_name, container_column = t.container_column
        FROM (VALUES ('incident', 'incidents', 'id'), ('observable', 'observables', 'incident_id'),
                     ('joint_incident', 'joint_incidents', 'id'), ('joint_update', 'joint_updates', 'joint_incident_id'),
                     ('joint_decision', 'joint_decisions', 'joint_incident_id'),
                     ('joint_observable', 'joint_observables', 'joint_incident_id')) AS t (type, table_name, container_column)
       WHERE shareable_types.type = t.type;
      ALTER TABLE shareable_types ALTER COLUMN table_name SET NOT NULL, ALTER COLUMN container_column SET NOT NULL,
        ADD CONSTRAINT shareable_types_names_shape CHECK (table_name ~ '^[a-z][a-z_]{1,62}$' AND container_column ~ '^[a-z][a-z_]{1,62}$');

      -- Runs inside a definer function in the joint incident's scope: the owner of one object of any registered type
      -- contained in that joint incident (the joint incident itself included), or NULL.
      CREATE FUNCTION hub_joint_object_owner(p_joint uuid, p_object uuid) RETURNS uuid
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        DECLARE
          t record;
          v_owner uuid;
        BEGIN
          FOR t IN SELECT table_name, container_column FROM shareable_types WHERE container_type = 'joint_incident' ORDER BY type LOOP
            EXECUTE format('SELECT org_id FROM %I WHERE id = $1 AND %I = $2', t.table_name, t.container_column)
              INTO v_owner USING p_object, p_joint;
            IF v_owner IS NOT NULL THEN RETURN v_owner; END IF;
          END LOOP;
          RETURN NULL;
        END $$;
      REVOKE ALL ON FUNCTION hub_joint_object_owner(uuid, uuid) FROM PUBLIC;

      CREATE FUNCTION hub_joint_accepted_orgs(p_joint uuid) RETURNS uuid[]
        LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
        SELECT coalesce(array_agg(p.participant_org_id), '{}') FROM joint_participants p
          JOIN organisations o ON o.id = p.participant_org_id AND o.status = 'active'
         WHERE p.joint_incident_id = p_joint AND p.state = 'accepted' $$;
      CREATE FUNCTION hub_joint_contact_users(p_joint uuid) RETURNS uuid[]
        LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
        SELECT coalesce(array_agg(DISTINCT c.user_id), '{}') FROM joint_participants p
          JOIN points_of_contact c ON c.id = ANY (p.points_of_contact) AND c.org_id = p.participant_org_id
         WHERE p.joint_incident_id = p_joint AND p.state = 'accepted' AND c.user_id IS NOT NULL $$;
      REVOKE ALL ON FUNCTION hub_joint_accepted_orgs(uuid), hub_joint_contact_users(uuid) FROM PUBLIC;

      CREATE TABLE joint_sync_hooks (function_name text PRIMARY KEY CHECK (function_name ~ '^hub_sync_joint_[a-z_]{1,40}$'));

      ALTER FUNCTION hub_sync_joint_access(uuid) RENAME TO hub_sync_joint_core;
      REVOKE ALL ON FUNCTION hub_sync_joint_core(uuid) FROM PUBLIC, hub_app;
      CREATE FUNCTION hub_sync_joint_access(p_joint uuid) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          h record;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          -- Refuses anyone but the coordinator and a participant, as before.
          PERFORM hub_sync_joint_core(p_joint);
          PERFORM set_config('hub.joint_scope', p_joint::text, true), set_config('hub.reads', '', true);
          FOR h IN SELECT function_name FROM joint_sync_hooks ORDER BY function_name LOOP
            EXECUTE format('SELECT %I($1)', h.function_name) USING p_joint;
          END LOOP;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;
      REVOKE ALL ON FUNCTION hub_sync_joint_access(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_sync_joint_access(uuid) TO hub_app;
    `);
    await q.query(grantees('hub_joint_object_owner(p_joint, p_object)'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(grantees(`(SELECT o FROM (
              SELECT j.org_id AS o FROM joint_incidents j WHERE j.id = p_object AND j.id = p_joint
              UNION ALL SELECT u.org_id FROM joint_updates u WHERE u.id = p_object AND u.joint_incident_id = p_joint
              UNION ALL SELECT d.org_id FROM joint_decisions d WHERE d.id = p_object AND d.joint_incident_id = p_joint
              UNION ALL SELECT ob.org_id FROM joint_observables ob WHERE ob.id = p_object AND ob.joint_incident_id = p_joint) t
             LIMIT 1)`));
    await q.query(`
      DROP FUNCTION hub_sync_joint_access(uuid);
      ALTER FUNCTION hub_sync_joint_core(uuid) RENAME TO hub_sync_joint_access;
      GRANT EXECUTE ON FUNCTION hub_sync_joint_access(uuid) TO hub_app;
      DROP TABLE joint_sync_hooks;
      DROP FUNCTION hub_joint_accepted_orgs(uuid), hub_joint_contact_users(uuid), hub_joint_object_owner(uuid, uuid);
      ALTER TABLE shareable_types DROP COLUMN table_name, DROP COLUMN container_column;
    `);
  }
}

/** hub_joint_object_grantees as migration 1764835200000 wrote it, with the object's owner found by `ownerOf`. */
function grantees(ownerOf: string): string {
  return `
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
            v_owner := ${ownerOf};
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
        END $$;`;
}
