import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox keys of a change (`hub_joint_object_grantees`), after the security review of issue 11:
 *
 * - A participant (not the coordinator) got the `user:<id>` keys of a RED object as they were, and
 *   `hub_user_org` (granted to hub_app) turns a user id into its organisation: a RED task or a published RED joint
 *   report named a pseudonymous participant's users, so its organisation. Such keys now read
 *   `participant:<id>`, as its `org:` key already did.
 * - It answered for any object of the joint incident, so a participant could ask who reads an object it may not
 *   read (a coordinator-only contribution whose id a report quote gave away) and learn its author. A participant
 *   now gets the full list only for an object it owns or is granted; for anything else, the coordinator's key and
 *   its own, as an invited or removed organisation does.
 */
export class JointGranteeMasking1765785600000 implements MigrationInterface {
  name = 'JointGranteeMasking1765785600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(grantees(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(grantees(false));
  }
}

/** hub_joint_object_grantees as migration 1765267200000 wrote it, with (`masked`) or without this migration's rules. */
function grantees(masked: boolean): string {
  const reads = masked
    ? `v_owner = v_me OR EXISTS (SELECT 1 FROM access a WHERE a.object_id = p_object AND a.owner_org_id = v_owner
                                                            AND a.grantee = ANY (hub_current_grantees()))`
    : 'true';
  const pseudonymousUser = masked
    ? `
                                  UNION ALL
                                  SELECT 'participant:' || p.id::text FROM joint_participants p JOIN users u ON u.org_id = p.participant_org_id
                                   WHERE p.joint_incident_id = p_joint AND 'user:' || u.id::text = k
                                     AND p.pseudonym IS NOT NULL AND p.participant_org_id <> v_me AND p.state = 'accepted'`
    : '';
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
            v_owner := hub_joint_object_owner(p_joint, p_object);
            IF v_owner IS NOT NULL THEN
              v_keys := array(SELECT DISTINCT k FROM (
                SELECT a.grantee AS k FROM access a WHERE a.object_id = p_object AND a.owner_org_id = v_owner
                UNION ALL SELECT 'org:' || v_owner::text) t ORDER BY k);
              IF v_coordinator <> v_me AND v_state = 'accepted' AND (${reads}) THEN
                -- Another participant's change: a pseudonymous participant (not the caller) by its participation,
                -- whether the key names the organisation or one of its users.
                v_keys := array(SELECT DISTINCT coalesce(
                                  (SELECT key FROM (
                                  SELECT 'participant:' || p.id::text AS key FROM joint_participants p
                                   WHERE p.joint_incident_id = p_joint AND 'org:' || p.participant_org_id::text = k
                                     AND p.pseudonym IS NOT NULL AND p.participant_org_id <> v_me AND p.state = 'accepted'${pseudonymousUser}) m
                                   LIMIT 1), k) AS key
                                  FROM unnest(v_keys) AS k ORDER BY key);
              ELSIF v_coordinator <> v_me THEN
                -- Invited, declined or removed, or an object it may not read: who else reads it is none of its business.
                v_keys := array(SELECT k FROM unnest(v_keys) AS k WHERE k IN ('org:' || v_coordinator::text, 'org:' || v_me::text) ORDER BY k);
              END IF;
            END IF;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_keys;
        END $$;`;
}
