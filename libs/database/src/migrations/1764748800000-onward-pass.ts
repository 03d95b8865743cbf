import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The onward AMBER pass (DESIGN section 4) and what the joint workspace objects need beside the joint schema.
 *
 * The coordinator links an incident released to it into a joint incident with `passOn`; each accepted participant
 * (not the incident's owner) then reads it "via" the joint incident: derived access rows of the incident's owner
 * (release_id NULL, via 'joint:<id>', container the incident) whose fields, redactions and pseudonym key are copied
 * from the coordinator's own live release grant, so the same fields and redactions apply. Its observables pass
 * too where each has its own live release to the coordinator and is AMBER or looser. Checked every time grants are
 * recomputed: the owner's release to the coordinator is live and the incident is AMBER, GREEN or CLEAR. Both the
 * joint side (`hub_sync_joint_access`, which calls `hub_sync_joint_onward`) and the owner's side
 * (`hub_after_grants_changed`, which sharing calls after a revocation or a marking change) recompute, so access
 * ends in the same transaction as the change that ends it.
 *
 * Pseudonyms and the owner: the owner of a passed incident could read its own access rows (`access_owner`), which
 * name each participant's organisation, pseudonymous ones included. Now an owner reads derived rows only where it
 * is the coordinator of the joint incident they come from; the owner of a passed incident learns where it went
 * through `hub_incident_passes`, with pseudonymous participants by participant id and pseudonym only.
 */
/**
 * `shared_incidents` as migration 1764316800000 wrote it, with one change when `masked`: a row the caller reads only
 * through onward grants shows, in place of its owner, the owner's participant id in a joint incident it came through
 * where the owner takes part under a pseudonym (`hub_onward_owner_alias`), so passing an incident on does not name
 * a pseudonymous participant to the others on any channel that reads the view.
 */
function sharedIncidentsView(masked: boolean): string {
  const orgId = masked ? `CASE WHEN g.via_only THEN coalesce(hub_onward_owner_alias(g.vias, i.org_id), i.org_id) ELSE i.org_id END AS org_id` : 'i.org_id';
  const onward = masked
    ? `,
                 coalesce(bool_and(a.release_id IS NULL), false) AS via_only,
                 array_agg(DISTINCT a.via) FILTER (WHERE a.via IS NOT NULL) AS vias`
    : '';
  return `
      CREATE OR REPLACE VIEW shared_incidents AS
      SELECT i.id, ${orgId},
             CASE WHEN g.plain THEN i.title ELSE hub_release_field('title', false, to_jsonb(i.title), g.grants) #>> '{}' END AS title,
             CASE WHEN g.plain THEN i.summary ELSE hub_release_field('summary', false, to_jsonb(i.summary), g.grants) #>> '{}' END AS summary,
             i.category, i.sub_type, i.severity, i.phase,
             CASE WHEN g.plain THEN i.impact ELSE hub_release_field('impact', false, to_jsonb(i.impact), g.grants) #>> '{}' END AS impact,
             i.marking, i.aware_at, i.detected_at, i.reported_at, i.contained_at, i.closed_at,
             CASE WHEN g.grants @> '[{"fields": ["internalNotes"]}]' THEN
               CASE WHEN g.plain THEN i.internal_notes ELSE hub_release_field('internalNotes', true, to_jsonb(i.internal_notes), g.grants) #>> '{}' END
             END AS internal_notes,
             CASE WHEN g.grants @> '[{"fields": ["reporter"]}]' THEN
               CASE WHEN g.plain THEN i.reporter ELSE hub_release_field('reporter', true, i.reporter, g.grants) END
             END AS reporter,
             CASE WHEN g.grants @> '[{"fields": ["affectedAssets"]}]' THEN
               CASE WHEN g.plain THEN i.affected_assets ELSE hub_release_field('affectedAssets', true, to_jsonb(i.affected_assets), g.grants) #>> '{}' END
             END AS affected_assets,
             CASE WHEN g.grants @> '[{"fields": ["report"]}]' THEN
               CASE WHEN g.plain THEN i.report ELSE hub_release_field('report', true, i.report, g.grants) END
             END AS report,
             -- Never leave the owner.
             NULL::text[] AS clock_profiles, NULL::uuid AS source_event_report_id, NULL::integer AS log_length,
             NULL::text AS log_head_hash,
             i.version, NULL::uuid AS created_by, i.created_at, i.updated_at,
             -- The text search reads the real title and summary, so only where a grant sends both as they are.
             CASE WHEN g.searchable THEN i.search END AS search,
             CASE WHEN g.plain THEN '{}'::jsonb ELSE jsonb_strip_nulls(jsonb_build_object(
               'title', hub_release_redaction('title', false, g.grants),
               'summary', hub_release_redaction('summary', false, g.grants),
               'impact', hub_release_redaction('impact', false, g.grants),
               'internalNotes', hub_release_redaction('internalNotes', true, g.grants),
               'reporter', hub_release_redaction('reporter', true, g.grants),
               'affectedAssets', hub_release_redaction('affectedAssets', true, g.grants),
               'report', hub_release_redaction('report', true, g.grants)))
             END AS redactions
        FROM incidents i
        CROSS JOIN LATERAL (
          SELECT jsonb_agg(jsonb_build_object('fields', to_jsonb(a.fields), 'redact', a.redact, 'key', encode(a.pseudonym_key, 'hex'))
                           ORDER BY a.id) AS grants,
                 coalesce(bool_and(a.redact = '{}'::jsonb), true) AS plain,
                 coalesce(bool_or(NOT (a.redact ?| ARRAY['title', 'summary'])), false) AS searchable${onward}
            FROM access a
           WHERE a.object_id = i.id AND a.object_type = 'incident' AND a.owner_org_id = i.org_id
             AND a.grantee = ANY (hub_current_grantees())
        ) g
       WHERE i.org_id IS DISTINCT FROM hub_current_org() AND g.grants IS NOT NULL AND hub_reads_shared();`;
}

export class OnwardPass1764748800000 implements MigrationInterface {
  name = 'OnwardPass1764748800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- What the author of an update chose, by participant id: it may be shown to the author, unlike audience_orgs
      -- (which can name a pseudonymous participant's organisation).
      ALTER TABLE joint_updates ADD COLUMN audience_participants uuid[] NOT NULL DEFAULT '{}';

      -- The caller is the coordinator of the joint incident a derived grant comes from. Runs as the caller.
      CREATE FUNCTION hub_joint_coordinator_via(p_via text) RETURNS boolean
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        BEGIN
          IF p_via IS NULL OR p_via !~ '^joint:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN RETURN false; END IF;
          RETURN hub_joint_coordinator(substr(p_via, 7)::uuid);
        END $$;
      REVOKE ALL ON FUNCTION hub_joint_coordinator_via(text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_joint_coordinator_via(text) TO hub_app;

      -- The owner reads and writes its release-based rows (syncAccess, explain's releases, the sort trigger) and the
      -- derived rows of joint incidents it coordinates, never the derived rows that name who its objects reach
      -- through someone else's joint incident.
      DROP POLICY access_owner ON access;
      CREATE POLICY access_owner ON access
        USING (owner_org_id = hub_current_org() AND (release_id IS NOT NULL OR hub_joint_coordinator_via(via)))
        WITH CHECK (owner_org_id = hub_current_org() AND (release_id IS NOT NULL OR hub_joint_coordinator_via(via)));
    `);

    await q.query(`
      -- The onward pass of one joint incident, inside hub_sync_joint_access's scope (hub.joint_scope = p_joint, shared
      -- reads off, running as the owner role), after the joint objects' rows: for each incident linked with passOn,
      -- the accepted participants but its owner read it through copies of the coordinator's own release grant.
      -- The owner's incident and observables are read under the owner's own context (set here, restored after).
      CREATE OR REPLACE FUNCTION hub_sync_joint_onward(p_joint uuid, p_accepted uuid[]) RETURNS void
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        DECLARE
          v_via text := 'joint:' || p_joint::text;
          v_coordinator uuid;
          v_prev_org text := current_setting('hub.org_id', true);
          l record;
          g record;
        BEGIN
          SELECT org_id INTO v_coordinator FROM joint_incidents WHERE id = p_joint;
          IF NOT FOUND THEN RETURN; END IF;
          DELETE FROM access WHERE via = v_via AND release_id IS NULL AND container_type = 'incident';
          FOR l IN SELECT DISTINCT li.incident_id, li.incident_org_id FROM joint_linked_incidents li
                    WHERE li.joint_incident_id = p_joint AND li.passed_on AND li.unlinked_at IS NULL LOOP
            -- The coordinator's own live release grant (syncAccess keeps it only while the marking allows it).
            SELECT a.fields, a.redact, a.pseudonym_key INTO g FROM access a
             WHERE a.object_id = l.incident_id AND a.object_type = 'incident' AND a.owner_org_id = l.incident_org_id
               AND a.grantee = 'org:' || v_coordinator::text AND a.release_id IS NOT NULL
             ORDER BY a.id LIMIT 1;
            CONTINUE WHEN NOT FOUND;
            PERFORM set_config('hub.org_id', l.incident_org_id::text, true);
            INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via,
                                fields, redact, pseudonym_key, sort_at)
            SELECT i.org_id, 'incident', i.id, 'incident', i.id, 'org:' || p::text, NULL, v_via, g.fields, g.redact, g.pseudonym_key, i.updated_at
              FROM incidents i CROSS JOIN unnest(p_accepted) AS p
             WHERE i.id = l.incident_id AND i.org_id = l.incident_org_id AND i.marking IN ('AMBER', 'GREEN', 'CLEAR')
               AND p <> i.org_id AND p <> v_coordinator;
            -- Its observables: each needs its own live release to the coordinator and an AMBER or looser marking.
            INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, via,
                                fields, redact, pseudonym_key, sort_at)
            SELECT o.org_id, 'observable', o.id, 'incident', i.id, 'org:' || p::text, NULL, v_via, og.fields, og.redact, og.pseudonym_key, NULL
              FROM incidents i
              JOIN observables o ON o.incident_id = i.id AND o.org_id = i.org_id AND o.marking IN ('AMBER', 'GREEN', 'CLEAR')
              CROSS JOIN LATERAL (
                SELECT a.fields, a.redact, a.pseudonym_key FROM access a
                 WHERE a.object_id = o.id AND a.object_type = 'observable' AND a.owner_org_id = o.org_id
                   AND a.grantee = 'org:' || v_coordinator::text AND a.release_id IS NOT NULL
                 ORDER BY a.id LIMIT 1) og
              CROSS JOIN unnest(p_accepted) AS p
             WHERE i.id = l.incident_id AND i.org_id = l.incident_org_id AND i.marking IN ('AMBER', 'GREEN', 'CLEAR')
               AND p <> i.org_id AND p <> v_coordinator;
            PERFORM set_config('hub.org_id', coalesce(v_prev_org, ''), true);
          END LOOP;
        END $$;
      REVOKE ALL ON FUNCTION hub_sync_joint_onward(uuid, uuid[]) FROM PUBLIC;

      -- The owner's side: sharing calls this in the owner's transaction after a release, revocation or marking change
      -- of these objects; every joint incident they are passed into is recomputed (its onward rows only), so a
      -- revoked release or a marking tightened past AMBER ends the onward access at once.
      CREATE OR REPLACE FUNCTION hub_after_grants_changed(p_objects uuid[]) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_joint uuid;
          v_accepted uuid[];
          v_incidents uuid[];
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          IF hub_current_org() IS NULL OR p_objects IS NULL OR cardinality(p_objects) = 0 THEN RETURN; END IF;
          -- The objects' incidents (an observable's container), then the live passes of those: index probes only.
          v_incidents := ARRAY(SELECT unnest(p_objects)
                               UNION SELECT o.incident_id FROM observables o WHERE o.id = ANY (p_objects) AND o.org_id = hub_current_org());
          FOR v_joint IN
            SELECT DISTINCT li.joint_incident_id FROM joint_linked_incidents li
             WHERE li.incident_id = ANY (v_incidents) AND li.unlinked_at IS NULL
               AND li.incident_org_id = hub_current_org() AND li.passed_on
          LOOP
            PERFORM set_config('hub.joint_scope', v_joint::text, true), set_config('hub.reads', '', true);
            SELECT coalesce(array_agg(p.participant_org_id), '{}') INTO v_accepted
              FROM joint_participants p JOIN organisations o ON o.id = p.participant_org_id AND o.status = 'active'
             WHERE p.joint_incident_id = v_joint AND p.state = 'accepted';
            PERFORM hub_sync_joint_onward(v_joint, v_accepted);
          END LOOP;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;
      -- The owner finds the joint incidents its own incidents are passed into (nothing else of them).
      CREATE POLICY joint_linked_incidents_owner_lookup ON joint_linked_incidents FOR SELECT TO CURRENT_USER
        USING (incident_org_id = hub_current_org());
      REVOKE ALL ON FUNCTION hub_after_grants_changed(uuid[]) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_after_grants_changed(uuid[]) TO hub_app;

      -- The derived rows' sort key follows the incident, as incidents_access_sort does for release rows (which the
      -- owner's own transaction can no longer reach for derived rows).
      CREATE FUNCTION hub_access_follow_onward() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_via text;
          v_prev_scope text := current_setting('hub.joint_scope', true);
        BEGIN
          FOR v_via IN SELECT DISTINCT a.via FROM access a
                        WHERE a.object_id = NEW.id AND a.object_type = 'incident' AND a.release_id IS NULL AND a.via LIKE 'joint:%' LOOP
            PERFORM set_config('hub.joint_scope', substr(v_via, 7), true);
            UPDATE access SET sort_at = NEW.updated_at
             WHERE object_id = NEW.id AND object_type = 'incident' AND via = v_via AND release_id IS NULL;
          END LOOP;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true);
          RETURN NULL;
        END $$;
      CREATE TRIGGER incidents_onward_sort AFTER UPDATE OF updated_at ON incidents
        FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION hub_access_follow_onward();
      REVOKE ALL ON FUNCTION hub_access_follow_onward() FROM PUBLIC;
    `);

    await q.query(`
      -- Where the caller's incident (and its observables) was passed on: one row per onward grant, the participant
      -- by participant id and pseudonym when it takes part under one, else by organisation. Nothing for a caller
      -- that does not own the incident.
      CREATE FUNCTION hub_incident_passes(p_incident uuid)
        RETURNS TABLE (joint_incident_id uuid, coordinator_org_id uuid, coordinator_name text, object_type text, object_id uuid,
                       participant_id uuid, pseudonym text, participant_org_id uuid, participant_name text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        #variable_conflict use_column
        DECLARE
          v_via text;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = p_incident AND i.org_id = hub_current_org()) THEN RETURN; END IF;
          FOR v_via IN SELECT DISTINCT a.via FROM access a
                        WHERE a.container_id = p_incident AND a.container_type = 'incident' AND a.owner_org_id = hub_current_org()
                          AND a.release_id IS NULL AND a.via LIKE 'joint:%' ORDER BY 1 LOOP
            PERFORM set_config('hub.joint_scope', substr(v_via, 7), true), set_config('hub.reads', '', true);
            RETURN QUERY
              SELECT j.id, j.org_id, co.name, a.object_type, a.object_id, p.id, p.pseudonym,
                     CASE WHEN p.pseudonym IS NULL THEN p.participant_org_id END,
                     CASE WHEN p.pseudonym IS NULL THEN po.name END
                FROM access a
                JOIN joint_incidents j ON j.id = hub_joint_scope()
                JOIN organisations co ON co.id = j.org_id
                JOIN joint_participants p ON p.joint_incident_id = j.id AND p.state = 'accepted' AND a.grantee = 'org:' || p.participant_org_id::text
                JOIN organisations po ON po.id = p.participant_org_id
               WHERE a.via = v_via AND a.container_id = p_incident AND a.container_type = 'incident'
                 AND a.owner_org_id = hub_current_org() AND a.release_id IS NULL
               ORDER BY a.object_type, a.object_id, p.id;
          END LOOP;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;

      -- The keys an incident (and its observables) is passed on to through a joint incident, for the outbox row of a
      -- link change (the relay routes on them); for the joint incident's coordinator only, who may know them.
      CREATE FUNCTION hub_onward_grantees(p_joint uuid, p_incident uuid) RETURNS text[]
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT coalesce(array_agg(DISTINCT a.grantee ORDER BY a.grantee), '{}')
          FROM access a
         WHERE hub_joint_coordinator(p_joint) AND a.via = 'joint:' || p_joint::text AND a.release_id IS NULL
           AND a.container_type = 'incident' AND a.container_id = p_incident
      $$;

      -- The accepted participants of a joint incident as the caller may know them: the coordinator every
      -- organisation, a participant a pseudonymous one (not itself) by participant id and pseudonym only.
      -- Nothing for a caller that is neither.
      CREATE FUNCTION hub_joint_roster(p_joint uuid)
        RETURNS TABLE (participant_id uuid, org_id uuid, pseudonym text)
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
            SELECT p.id, CASE WHEN p.pseudonym IS NULL OR v_coordinator OR p.participant_org_id = hub_current_org() THEN p.participant_org_id END,
                   p.pseudonym
              FROM joint_participants p
             WHERE p.joint_incident_id = p_joint AND p.state = 'accepted'
             ORDER BY p.invited_at, p.id;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;

      -- An audience named by the caller: each id, an accepted participant's id or the organisation id of one the
      -- caller knows by organisation (roster above), resolved to both. Ids that are neither are left out.
      CREATE FUNCTION hub_joint_audience(p_joint uuid, p_ids uuid[])
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
            SELECT g, p.id, p.participant_org_id
              FROM unnest(p_ids) AS g
              JOIN joint_participants p ON p.joint_incident_id = p_joint AND p.state = 'accepted'
               AND (p.id = g OR (p.participant_org_id = g AND (p.pseudonym IS NULL OR v_coordinator OR p.participant_org_id = hub_current_org())));
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;

      -- The phase of a joint incident, for its coordinator and its accepted participants (a participant may not
      -- write into a closed joint incident's workspace, and reads the joint incident itself only through the policy).
      CREATE FUNCTION hub_joint_phase(p_joint uuid) RETURNS text
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_phase text;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          IF hub_joint_member(p_joint) THEN
            PERFORM set_config('hub.joint_scope', p_joint::text, true);
            SELECT j.phase INTO v_phase FROM joint_incidents j WHERE j.id = p_joint;
          END IF;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_phase;
        END $$;

      -- A passed incident whose owner takes part in the same joint incident under a pseudonym: the participant id
      -- and pseudonym the other participants see in place of the owner. Only for an accepted participant caller.
      CREATE FUNCTION hub_joint_owner_alias(p_joint uuid, p_incident uuid)
        RETURNS TABLE (participant_id uuid, pseudonym text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        #variable_conflict use_column
        DECLARE
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          PERFORM set_config('hub.reads', '', true);
          IF NOT hub_joint_member(p_joint) OR hub_joint_coordinator(p_joint) THEN
            PERFORM set_config('hub.reads', coalesce(v_prev_reads, ''), true);
            RETURN;
          END IF;
          PERFORM set_config('hub.joint_scope', p_joint::text, true);
          RETURN QUERY
            SELECT p.id, p.pseudonym
              FROM joint_linked_incidents li
              JOIN joint_participants p ON p.joint_incident_id = li.joint_incident_id AND p.participant_org_id = li.incident_org_id
             WHERE li.joint_incident_id = p_joint AND li.incident_id = p_incident AND li.unlinked_at IS NULL
               AND p.pseudonym IS NOT NULL AND p.participant_org_id <> hub_current_org()
             ORDER BY p.invited_at DESC LIMIT 1;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
        END $$;

      -- Explain: derived grants are shown only to the coordinator of the joint incident they come from (the owner of
      -- a passed incident lists them through hub_incident_passes, pseudonyms applied). Otherwise as in 1764144000000.
      CREATE OR REPLACE FUNCTION hub_object_grants(p_object uuid)
        RETURNS TABLE (object_type text, grantee text, release_id uuid, via text, recipient_kind text,
                       recipient_org_id uuid, recipient_user_id uuid, fields text[], redact jsonb,
                       released_at timestamptz, released_by uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT a.object_type, a.grantee, a.release_id, a.via, r.recipient_kind, r.recipient_org_id, r.recipient_user_id,
               a.fields, a.redact, r.created_at, r.created_by
          FROM access a LEFT JOIN releases r ON r.id = a.release_id
         WHERE a.object_id = p_object
           AND (a.owner_org_id = hub_current_org()
                OR (hub_current_org_kind() = 'coordinator' AND EXISTS (
                      SELECT 1 FROM access mine WHERE mine.object_id = p_object AND mine.grantee = ANY (hub_current_grantees())
                         AND (mine.grantee LIKE 'org:%' OR mine.grantee LIKE 'user:%'))))
           AND (a.release_id IS NOT NULL OR hub_joint_coordinator_via(a.via))
         ORDER BY r.created_at, a.id
      $$;

      -- The participant id that stands for an incident's owner, to a caller that reads the incident through a joint
      -- incident in which the owner takes part under a pseudonym; NULL otherwise (and for a caller not passed the
      -- owner's incident through that joint incident).
      CREATE FUNCTION hub_onward_owner_alias(p_vias text[], p_owner uuid) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_via text;
          v_id uuid;
          v_prev_scope text := current_setting('hub.joint_scope', true);
        BEGIN
          FOREACH v_via IN ARRAY coalesce(p_vias, '{}') LOOP
            CONTINUE WHEN v_via !~ '^joint:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
            CONTINUE WHEN NOT EXISTS (SELECT 1 FROM access a WHERE a.via = v_via AND a.owner_org_id = p_owner AND a.release_id IS NULL
                                         AND a.grantee = ANY (hub_current_grantees()));
            PERFORM set_config('hub.joint_scope', substr(v_via, 7), true);
            SELECT p.id INTO v_id FROM joint_participants p
             WHERE p.joint_incident_id = substr(v_via, 7)::uuid AND p.participant_org_id = p_owner AND p.pseudonym IS NOT NULL
             ORDER BY p.invited_at DESC LIMIT 1;
            PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true);
            IF v_id IS NOT NULL THEN RETURN v_id; END IF;
          END LOOP;
          RETURN NULL;
        END $$;
      REVOKE ALL ON FUNCTION hub_onward_owner_alias(text[], uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_onward_owner_alias(text[], uuid) TO hub_app;

      REVOKE ALL ON FUNCTION hub_incident_passes(uuid), hub_onward_grantees(uuid, uuid), hub_joint_roster(uuid),
        hub_joint_audience(uuid, uuid[]), hub_joint_phase(uuid), hub_joint_owner_alias(uuid, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_incident_passes(uuid), hub_onward_grantees(uuid, uuid), hub_joint_roster(uuid),
        hub_joint_audience(uuid, uuid[]), hub_joint_phase(uuid), hub_joint_owner_alias(uuid, uuid) TO hub_app;
    `);
    await q.query(sharedIncidentsView(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(sharedIncidentsView(false));
    await q.query(`
      DROP FUNCTION hub_onward_owner_alias(text[], uuid);
      DROP FUNCTION hub_joint_owner_alias(uuid, uuid), hub_joint_phase(uuid), hub_joint_audience(uuid, uuid[]), hub_joint_roster(uuid),
        hub_onward_grantees(uuid, uuid), hub_incident_passes(uuid);
      DROP TRIGGER incidents_onward_sort ON incidents;
      DROP FUNCTION hub_access_follow_onward();
      DROP POLICY joint_linked_incidents_owner_lookup ON joint_linked_incidents;
      CREATE OR REPLACE FUNCTION hub_after_grants_changed(p_objects uuid[]) RETURNS void LANGUAGE plpgsql AS $$ BEGIN RETURN; END $$;
      DELETE FROM access WHERE release_id IS NULL AND container_type = 'incident' AND via LIKE 'joint:%';
      CREATE OR REPLACE FUNCTION hub_sync_joint_onward(p_joint uuid, p_accepted uuid[]) RETURNS void
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$ BEGIN RETURN; END $$;
      DROP POLICY access_owner ON access;
      CREATE POLICY access_owner ON access USING (owner_org_id = hub_current_org()) WITH CHECK (owner_org_id = hub_current_org());
      CREATE OR REPLACE FUNCTION hub_object_grants(p_object uuid)
        RETURNS TABLE (object_type text, grantee text, release_id uuid, via text, recipient_kind text,
                       recipient_org_id uuid, recipient_user_id uuid, fields text[], redact jsonb,
                       released_at timestamptz, released_by uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT a.object_type, a.grantee, a.release_id, a.via, r.recipient_kind, r.recipient_org_id, r.recipient_user_id,
               a.fields, a.redact, r.created_at, r.created_by
          FROM access a LEFT JOIN releases r ON r.id = a.release_id
         WHERE a.object_id = p_object
           AND (a.owner_org_id = hub_current_org()
                OR (hub_current_org_kind() = 'coordinator' AND EXISTS (
                      SELECT 1 FROM access mine WHERE mine.object_id = p_object AND mine.grantee = ANY (hub_current_grantees())
                         AND (mine.grantee LIKE 'org:%' OR mine.grantee LIKE 'user:%'))))
         ORDER BY r.created_at, a.id
      $$;
      DROP FUNCTION hub_joint_coordinator_via(text);
      ALTER TABLE joint_updates DROP COLUMN audience_participants;
    `);
  }
}
