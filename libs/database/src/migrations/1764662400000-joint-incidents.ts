import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Joint incidents (DESIGN section 5): the coordination workspace owned by a coordinator tenant, its
 * participants, updates and advisories, decisions, joint observables and linked member incidents.
 *
 * Row-level security: each row's `org_id` is its owner (the coordinator, or for updates and joint observables
 * the authoring organisation), which alone writes it. A participant organisation also reads its own
 * participation rows. Every other cross-tenant read goes through the access table, as for incidents: the
 * `<table>_shared_read` policies bind the owner role only, which owns the `shared_joint_*` views, so another
 * organisation's row reaches `hub_app` only through them, field by field (see migration 1764316800000, "the
 * field guard").
 *
 * Pseudonyms: a participant invited as pseudonymous shows, to everyone but the coordinator and itself, as its
 * participation id and its pseudonym ("Participant C"), never its organisation id or name. Rows it authors copy
 * its participation id and pseudonym when they are written (a trigger), so the shared views mask the author
 * without reading another organisation's participation; a row whose masking cannot be decided stays masked.
 *
 * Grants on joint objects are derived, not released: `hub_sync_joint_access(joint)` recomputes the access rows
 * with via = 'joint:<id>' from the participants, markings and audiences, in the caller's transaction.
 * Points of contact carry an optional user, so a RED joint incident or decision reaches the users named in each
 * accepted participant's points of contact for it; contacts without a user reach nobody.
 */
export class JointIncidents1764662400000 implements MigrationInterface {
  name = 'JointIncidents1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The joint incident whose grants a definer function of this migration is recomputing (set inside it
      -- only, restored when it returns): the owner role reads that joint incident's rows across tenants.
      CREATE FUNCTION hub_joint_scope() RETURNS uuid LANGUAGE sql STABLE
        AS $$ SELECT NULLIF(current_setting('hub.joint_scope', true), '')::uuid $$;

      CREATE TABLE joint_incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
        category text NOT NULL,
        sub_type text NOT NULL,
        severity smallint NOT NULL CHECK (severity BETWEEN 1 AND 4),
        -- Every phase change and its reason is an entry of the joint incident's management log.
        phase text NOT NULL DEFAULT 'detect_report'
          CHECK (phase IN ('detect_report', 'assess_decide', 'respond', 'learn_lessons', 'closed')),
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        -- ISO/IEC 27035-2 clause 11: an exercise is kept out of statistics and clocks.
        exercise boolean NOT NULL DEFAULT false,
        -- Until the joint report (next issue), closing needs a closing summary.
        closing_summary text CHECK (length(closing_summary) <= 20000),
        version integer NOT NULL DEFAULT 1,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        CHECK (phase <> 'closed' OR (closing_summary IS NOT NULL AND closed_at IS NOT NULL))
      );
      -- The coordinator's joint register, newest change first, paged by (updated_at, id); filters on phase,
      -- severity, category and exercise are applied while walking it, as the incident register does.
      -- "My joint incidents" walks the caller's grants in access_feed_idx and probes by primary key: no index on
      -- updated_at alone, which the planner would prefer to the register's (see incidents_own_read).
      CREATE INDEX joint_incidents_register_idx ON joint_incidents (org_id, updated_at DESC, id DESC);

      CREATE TABLE joint_participants (
        -- The participant's id inside this joint incident: what the others see of a pseudonymous participant.
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        joint_incident_id uuid NOT NULL REFERENCES joint_incidents (id),
        participant_org_id uuid NOT NULL REFERENCES organisations (id),
        role text NOT NULL CHECK (role IN ('lead', 'affected', 'responder', 'observer')),
        state text NOT NULL DEFAULT 'invited' CHECK (state IN ('invited', 'accepted', 'declined', 'removed')),
        -- 'Participant C': stable within the joint incident, drawn at random among its unused letters.
        pseudonym text CHECK (pseudonym ~ '^Participant [A-Z]{1,3}$'),
        -- The participant's own points_of_contact entries named for this joint incident.
        points_of_contact uuid[] NOT NULL DEFAULT '{}',
        invited_by uuid,
        invited_at timestamptz NOT NULL DEFAULT now(),
        answered_by uuid,
        answered_at timestamptz,
        decline_reason text CHECK (length(decline_reason) BETWEEN 1 AND 2000),
        removed_by uuid,
        removed_at timestamptz,
        remove_reason text CHECK (length(remove_reason) BETWEEN 1 AND 2000),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (participant_org_id <> org_id),
        CHECK ((state = 'declined') = (decline_reason IS NOT NULL)),
        CHECK ((state = 'removed') = (removed_at IS NOT NULL AND remove_reason IS NOT NULL)),
        CHECK (state = 'invited' OR state = 'removed' OR answered_at IS NOT NULL)
      );
      -- One live participation per organisation and joint incident; a pseudonym names one organisation.
      CREATE UNIQUE INDEX joint_participants_live_key ON joint_participants (joint_incident_id, participant_org_id)
        WHERE state IN ('invited', 'accepted');
      CREATE UNIQUE INDEX joint_participants_pseudonym_key ON joint_participants (joint_incident_id, pseudonym)
        WHERE pseudonym IS NOT NULL AND state IN ('invited', 'accepted');
      CREATE INDEX joint_participants_joint_idx ON joint_participants (joint_incident_id, invited_at, id);
      CREATE INDEX joint_participants_org_idx ON joint_participants (participant_org_id, state, joint_incident_id);

      CREATE TABLE joint_updates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- The author organisation (the coordinator or a participant) owns its update.
        org_id uuid NOT NULL REFERENCES organisations (id),
        joint_incident_id uuid NOT NULL REFERENCES joint_incidents (id),
        kind text NOT NULL CHECK (kind IN ('update', 'advisory')),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        body text NOT NULL DEFAULT '' CHECK (length(body) <= 50000),
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        audience text NOT NULL DEFAULT 'all' CHECK (audience IN ('all', 'chosen', 'coordinator')),
        audience_orgs uuid[] NOT NULL DEFAULT '{}',
        audience_users uuid[] NOT NULL DEFAULT '{}',
        -- Set by a trigger from the author's participation (NULL for the coordinator's own rows).
        author_participant_id uuid REFERENCES joint_participants (id),
        author_pseudonym text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK ((audience = 'chosen') = (cardinality(audience_orgs) > 0)),
        CHECK (marking <> 'RED' OR cardinality(audience_users) > 0)
      );
      CREATE INDEX joint_updates_list_idx ON joint_updates (joint_incident_id, created_at DESC, id DESC);
      CREATE INDEX joint_updates_owner_idx ON joint_updates (org_id, joint_incident_id, created_at DESC, id DESC);

      CREATE TABLE joint_decisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        joint_incident_id uuid NOT NULL REFERENCES joint_incidents (id),
        decision text NOT NULL CHECK (length(decision) BETWEEN 1 AND 5000),
        rationale text NOT NULL DEFAULT '' CHECK (length(rationale) <= 20000),
        decided_by uuid NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT now(),
        -- Defaults to the joint incident's marking (the service fills it in).
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX joint_decisions_list_idx ON joint_decisions (joint_incident_id, decided_at DESC, id DESC);

      CREATE TABLE joint_observables (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        joint_incident_id uuid NOT NULL REFERENCES joint_incidents (id),
        type text NOT NULL,
        value text NOT NULL CHECK (length(value) BETWEEN 1 AND 2048),
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        pap text NOT NULL DEFAULT 'AMBER' CHECK (pap IN ('CLEAR', 'GREEN', 'AMBER', 'RED')),
        first_seen timestamptz,
        last_seen timestamptz,
        -- RED reaches these users only (of accepted participants or the coordinator).
        audience_users uuid[] NOT NULL DEFAULT '{}',
        author_participant_id uuid REFERENCES joint_participants (id),
        author_pseudonym text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK (first_seen IS NULL OR last_seen IS NULL OR first_seen <= last_seen),
        CHECK (marking <> 'RED' OR cardinality(audience_users) > 0)
      );
      CREATE UNIQUE INDEX joint_observables_value_key ON joint_observables (joint_incident_id, org_id, type, value);
      CREATE INDEX joint_observables_list_idx ON joint_observables (joint_incident_id, created_at, id);

      CREATE TABLE joint_linked_incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        joint_incident_id uuid NOT NULL REFERENCES joint_incidents (id),
        -- A member's incident released to the coordinator; no foreign key crosses into its register.
        incident_id uuid NOT NULL,
        incident_org_id uuid NOT NULL REFERENCES organisations (id),
        -- The onward AMBER pass: the participants read the incident "via" this joint incident.
        passed_on boolean NOT NULL DEFAULT false,
        linked_by uuid,
        linked_at timestamptz NOT NULL DEFAULT now(),
        unlinked_at timestamptz,
        CHECK (incident_org_id <> org_id)
      );
      CREATE UNIQUE INDEX joint_linked_incidents_live_key ON joint_linked_incidents (joint_incident_id, incident_id)
        WHERE unlinked_at IS NULL;
      CREATE INDEX joint_linked_incidents_incident_idx ON joint_linked_incidents (incident_id) WHERE unlinked_at IS NULL;

      INSERT INTO shareable_types (type, container_type) VALUES
        ('joint_incident', 'joint_incident'), ('joint_update', 'joint_incident'),
        ('joint_decision', 'joint_incident'), ('joint_observable', 'joint_incident');

      -- The relay routes an event to the grantee keys that may read its object after the change.
      ALTER TABLE outbox ADD COLUMN grantees text[] NOT NULL DEFAULT '{}';
    `);

    const tables = ['joint_incidents', 'joint_participants', 'joint_updates', 'joint_decisions', 'joint_observables', 'joint_linked_incidents'];
    for (const table of tables) {
      await q.query(`
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY ${table}_owner ON ${table} USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
        GRANT SELECT, INSERT, UPDATE ON ${table} TO hub_app;
      `);
    }
    // The grant recomputation (a definer function) reads the one joint incident it is recomputing.
    for (const table of tables) {
      const joint = table === 'joint_incidents' ? 'id' : 'joint_incident_id';
      await q.query(`CREATE POLICY ${table}_sync_read ON ${table} FOR SELECT TO CURRENT_USER USING (${joint} = hub_joint_scope())`);
    }

    const [{ owner }] = await q.query('SELECT quote_literal(current_user) AS owner');
    await q.query(`
      -- The caller is the coordinator that owns the joint incident, or one of its accepted participants. Runs as
      -- the caller (hub_app inside the views below too), whose own policies answer it.
      CREATE FUNCTION hub_joint_member(p_joint uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        BEGIN
          RETURN EXISTS (SELECT 1 FROM joint_incidents j WHERE j.id = p_joint AND j.org_id = hub_current_org())
              OR EXISTS (SELECT 1 FROM joint_participants p WHERE p.joint_incident_id = p_joint
                            AND p.participant_org_id = hub_current_org() AND p.state = 'accepted');
        END $$;
      -- The caller is the coordinator tenant that owns the joint incident (it alone sees through pseudonyms).
      CREATE FUNCTION hub_joint_coordinator(p_joint uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        BEGIN
          RETURN EXISTS (SELECT 1 FROM joint_incidents j WHERE j.id = p_joint AND j.org_id = hub_current_org());
        END $$;
      GRANT EXECUTE ON FUNCTION hub_joint_member(uuid), hub_joint_coordinator(uuid) TO hub_app;

      -- A participant reads its own participation rows (its invitation before it answers, included).
      CREATE POLICY joint_participants_own_read ON joint_participants FOR SELECT
        USING (participant_org_id = hub_current_org());
      -- The other participants of a joint incident the caller takes part in: only through shared_joint_participants
      -- (where current_user is still hub_app). Never inside a definer function (current_user is the owner there):
      -- hub_joint_member would read joint_participants as the owner again, through this same policy.
      CREATE POLICY joint_participants_shared_read ON joint_participants FOR SELECT TO CURRENT_USER
        USING (current_user <> ${owner} AND hub_reads_shared() AND hub_joint_member(joint_incident_id));

      CREATE POLICY joint_incidents_shared_read ON joint_incidents FOR SELECT TO CURRENT_USER
        USING (hub_reads_shared() AND hub_granted('joint_incident', id, org_id));
      CREATE POLICY joint_updates_shared_read ON joint_updates FOR SELECT TO CURRENT_USER
        USING (hub_reads_shared() AND hub_granted('joint_update', id, org_id));
      CREATE POLICY joint_decisions_shared_read ON joint_decisions FOR SELECT TO CURRENT_USER
        USING (hub_reads_shared() AND hub_granted('joint_decision', id, org_id));
      CREATE POLICY joint_observables_shared_read ON joint_observables FOR SELECT TO CURRENT_USER
        USING (hub_reads_shared() AND hub_granted('joint_observable', id, org_id));

      -- The recomputation reads the points of contact and writes the derived grants of the joint incident in scope.
      CREATE POLICY points_of_contact_joint_sync ON points_of_contact FOR SELECT TO CURRENT_USER
        USING (hub_joint_scope() IS NOT NULL);
      CREATE POLICY access_joint_sync ON access TO CURRENT_USER
        USING (release_id IS NULL AND via = 'joint:' || hub_joint_scope()::text)
        WITH CHECK (release_id IS NULL AND via = 'joint:' || hub_joint_scope()::text);
    `);

    await q.query(`
      -- An update or joint observable written by a participant carries its participation id and pseudonym, so
      -- the shared views mask its author from the row alone. Runs as the author: its own participation row is
      -- readable to it. An author that is neither the coordinator nor an accepted participant writes nothing.
      CREATE FUNCTION hub_joint_author_stamp() RETURNS trigger
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        DECLARE
          p record;
        BEGIN
          IF EXISTS (SELECT 1 FROM joint_incidents j WHERE j.id = NEW.joint_incident_id AND j.org_id = NEW.org_id) THEN
            NEW.author_participant_id := NULL;
            NEW.author_pseudonym := NULL;
            RETURN NEW;
          END IF;
          SELECT id, pseudonym INTO p FROM joint_participants
           WHERE joint_incident_id = NEW.joint_incident_id AND participant_org_id = NEW.org_id AND state = 'accepted';
          IF NOT FOUND THEN
            RAISE EXCEPTION 'organisation % is not an accepted participant of joint incident %', NEW.org_id, NEW.joint_incident_id
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          NEW.author_participant_id := p.id;
          NEW.author_pseudonym := p.pseudonym;
          RETURN NEW;
        END $$;
      CREATE TRIGGER joint_updates_author BEFORE INSERT OR UPDATE OF org_id, joint_incident_id, author_participant_id, author_pseudonym
        ON joint_updates FOR EACH ROW EXECUTE FUNCTION hub_joint_author_stamp();
      CREATE TRIGGER joint_observables_author BEFORE INSERT OR UPDATE OF org_id, joint_incident_id, author_participant_id, author_pseudonym
        ON joint_observables FOR EACH ROW EXECUTE FUNCTION hub_joint_author_stamp();

      -- access.sort_at follows the object's updated_at (runs as the owner's transaction, as incidents_access_sort).
      CREATE FUNCTION hub_access_follow_joint_object() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE access SET sort_at = NEW.updated_at WHERE object_id = NEW.id AND object_type = TG_ARGV[0];
          RETURN NULL;
        END $$;
      CREATE TRIGGER joint_incidents_access_sort AFTER UPDATE OF updated_at ON joint_incidents
        FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION hub_access_follow_joint_object('joint_incident');
      CREATE TRIGGER joint_updates_access_sort AFTER UPDATE OF updated_at ON joint_updates
        FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION hub_access_follow_joint_object('joint_update');
      CREATE TRIGGER joint_observables_access_sort AFTER UPDATE OF updated_at ON joint_observables
        FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION hub_access_follow_joint_object('joint_observable');
    `);

    await q.query(`
      -- The grantee keys that reach a joint object of the joint incident in scope, as (object, grantee) pairs.
      -- Kept apart from the function that writes them so explain and tests can read the rule's answer.
      -- p_marking RED: users only; otherwise organisations. p_orgs: the organisations the object is for (already
      -- limited to accepted participants and the coordinator, the author left out); p_users: the named users
      -- for RED, kept only if they are active users of one of p_orgs.
      CREATE FUNCTION hub_joint_grantees(p_marking text, p_orgs uuid[], p_users uuid[]) RETURNS SETOF text
        LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
        SELECT 'org:' || o::text FROM unnest(p_orgs) AS o WHERE p_marking <> 'RED'
        UNION
        SELECT 'user:' || u.id::text FROM users u
         WHERE p_marking = 'RED' AND u.id = ANY (p_users) AND u.org_id = ANY (p_orgs) AND u.status = 'active'
      $$;

      -- Derived grants of one joint incident (DESIGN sections 4 and 5): deletes its 'joint:<id>' access rows and
      -- writes them again from the participants, markings and audiences. Callable from the coordinator's
      -- transaction and from a participant's (any participation, so an answer or a removal can recompute);
      -- anyone else is refused. Never grants the community or the public: that takes a release.
      CREATE FUNCTION hub_sync_joint_access(p_joint uuid) RETURNS void
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
                 WHERE u.audience = 'all' OR (u.audience = 'chosen' AND o = ANY (u.audience_orgs))
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
        END $$;

      -- Placeholder: no onward grants until the jointobj migration replaces it (same signature, same scope:
      -- hub.joint_scope = p_joint, the access rows it writes carry via = 'joint:<p_joint>' and release_id NULL).
      CREATE FUNCTION hub_sync_joint_onward(p_joint uuid, p_accepted uuid[]) RETURNS void
        LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
        BEGIN
          RETURN;
        END $$;

      -- The grantee keys that may read one object of a joint incident (its owner's and its access rows'), for the
      -- outbox row of a change, so the relay routes without re-reading. For the coordinator and the participants
      -- of the joint incident only; the keys go into the outbox, never into a response.
      CREATE FUNCTION hub_joint_object_grantees(p_joint uuid, p_object uuid) RETURNS text[]
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
      REVOKE ALL ON FUNCTION hub_joint_object_grantees(uuid, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_joint_object_grantees(uuid, uuid) TO hub_app;

      REVOKE ALL ON FUNCTION hub_joint_grantees(text, uuid[], uuid[]), hub_sync_joint_access(uuid),
        hub_sync_joint_onward(uuid, uuid[]) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_sync_joint_access(uuid) TO hub_app;
    `);

    await q.query(`
      -- A participant answers its invitation, changing exactly its answer: accepted with its points of contact
      -- (its own directory entries), or declined with a reason. The row belongs to the coordinator, so this is
      -- the one cross-tenant write of a participant; the agreement check is the service's, before it calls.
      CREATE FUNCTION hub_answer_joint_invitation(p_joint uuid, p_accept boolean, p_contacts uuid[], p_reason text)
        RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_id uuid;
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          -- Shared reads off, so the owner role's shared-read policy on joint_participants does not run here.
          PERFORM set_config('hub.reads', '', true);
          -- The rule of DESIGN section 5 holds here too, not only in the service: an accepted agreement in force.
          IF p_accept AND NOT EXISTS (
               SELECT 1 FROM joint_participants p CROSS JOIN LATERAL hub_agreement_in_force(hub_current_org(), p.org_id) a
                WHERE p.joint_incident_id = p_joint AND p.participant_org_id = hub_current_org() AND p.state = 'invited') THEN
            RAISE EXCEPTION 'taking part in a joint incident requires an accepted coordination agreement valid today'
              USING ERRCODE = 'check_violation';
          END IF;
          IF p_accept AND EXISTS (
               SELECT 1 FROM unnest(coalesce(p_contacts, '{}')) AS c
                WHERE NOT EXISTS (SELECT 1 FROM points_of_contact pc WHERE pc.id = c AND pc.org_id = hub_current_org())) THEN
            RAISE EXCEPTION 'points of contact must be entries of your own directory' USING ERRCODE = 'check_violation';
          END IF;
          UPDATE joint_participants
             SET state = CASE WHEN p_accept THEN 'accepted' ELSE 'declined' END,
                 points_of_contact = CASE WHEN p_accept THEN coalesce(p_contacts, '{}') ELSE '{}' END,
                 decline_reason = CASE WHEN p_accept THEN NULL ELSE p_reason END,
                 answered_by = hub_current_user_id(), answered_at = now(), updated_at = now()
           WHERE joint_incident_id = p_joint AND participant_org_id = hub_current_org() AND state = 'invited'
          RETURNING id INTO v_id;
          PERFORM set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN v_id;
        END $$;
      CREATE POLICY joint_participants_answer ON joint_participants FOR UPDATE TO CURRENT_USER
        USING (participant_org_id = hub_current_org() AND state = 'invited')
        WITH CHECK (participant_org_id = hub_current_org() AND state IN ('accepted', 'declined'));
      REVOKE ALL ON FUNCTION hub_answer_joint_invitation(uuid, boolean, uuid[], text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_answer_joint_invitation(uuid, boolean, uuid[], text) TO hub_app;
    `);

    await q.query(`
      -- The shared views, owned by this role as shared_observables is: another organisation's rows as the caller's
      -- grants allow, the conditions of row-level security repeated so they fail closed. A pseudonymous author
      -- shows as its participation id and pseudonym unless the caller is the coordinator of the joint incident.
      CREATE VIEW shared_joint_incidents AS
      SELECT j.id, j.org_id, (SELECT o.name FROM organisations o WHERE o.id = j.org_id) AS author_label, j.title, j.summary, j.category, j.sub_type, j.severity, j.phase,
             j.marking, j.exercise, j.closing_summary, j.version, NULL::uuid AS created_by, j.created_at, j.updated_at,
             j.closed_at
        FROM joint_incidents j
       WHERE j.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('joint_incident', j.id, j.org_id);

      CREATE VIEW shared_joint_updates AS
      SELECT u.id,
             CASE WHEN u.author_participant_id IS NULL THEN u.org_id
                  WHEN u.author_pseudonym IS NULL OR hub_joint_coordinator(u.joint_incident_id) THEN u.org_id
                  ELSE u.author_participant_id END AS org_id,
             CASE WHEN u.author_participant_id IS NULL OR u.author_pseudonym IS NULL OR hub_joint_coordinator(u.joint_incident_id)
                  THEN (SELECT o.name FROM organisations o WHERE o.id = u.org_id)
                  ELSE u.author_pseudonym END AS author_label,
             u.joint_incident_id, u.kind, u.title, u.body, u.marking, u.audience,
             -- Who else it went to is the author's and the coordinator's business (it may name a pseudonymous org).
             NULL::uuid[] AS audience_orgs, NULL::uuid[] AS audience_users,
             NULL::uuid AS created_by, u.created_at, u.updated_at, u.version
        FROM joint_updates u
       WHERE u.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('joint_update', u.id, u.org_id);

      CREATE VIEW shared_joint_decisions AS
      SELECT d.id, d.org_id, (SELECT o.name FROM organisations o WHERE o.id = d.org_id) AS author_label, d.joint_incident_id, d.decision, d.rationale, d.decided_by,
             d.decided_at, d.marking, d.created_at
        FROM joint_decisions d
       WHERE d.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('joint_decision', d.id, d.org_id);

      CREATE VIEW shared_joint_observables AS
      SELECT ob.id,
             CASE WHEN ob.author_participant_id IS NULL THEN ob.org_id
                  WHEN ob.author_pseudonym IS NULL OR hub_joint_coordinator(ob.joint_incident_id) THEN ob.org_id
                  ELSE ob.author_participant_id END AS org_id,
             CASE WHEN ob.author_participant_id IS NULL OR ob.author_pseudonym IS NULL OR hub_joint_coordinator(ob.joint_incident_id)
                  THEN (SELECT o.name FROM organisations o WHERE o.id = ob.org_id)
                  ELSE ob.author_pseudonym END AS author_label,
             ob.joint_incident_id, ob.type, ob.value, ob.marking, ob.pap, ob.first_seen, ob.last_seen,
             NULL::uuid[] AS audience_users, NULL::uuid AS created_by, ob.created_at, ob.updated_at, ob.version
        FROM joint_observables ob
       WHERE ob.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('joint_observable', ob.id, ob.org_id);

      -- The participant list as an accepted participant reads it: the accepted participants, a pseudonymous
      -- one (not the caller) as its id, pseudonym and role only. The coordinator reads the table itself.
      CREATE VIEW shared_joint_participants AS
      SELECT p.id, p.joint_incident_id,
             CASE WHEN p.pseudonym IS NULL OR p.participant_org_id = hub_current_org() THEN p.participant_org_id END AS participant_org_id,
             CASE WHEN p.pseudonym IS NULL OR p.participant_org_id = hub_current_org()
                  THEN (SELECT o.name FROM organisations o WHERE o.id = p.participant_org_id) END AS org_name,
             p.pseudonym, p.role, p.state,
             CASE WHEN p.pseudonym IS NULL OR p.participant_org_id = hub_current_org() THEN p.points_of_contact END AS points_of_contact,
             CASE WHEN p.pseudonym IS NULL OR p.participant_org_id = hub_current_org() THEN p.answered_at END AS answered_at
        FROM joint_participants p
       WHERE p.state = 'accepted' AND hub_reads_shared() AND hub_joint_member(p.joint_incident_id);

      GRANT SELECT ON shared_joint_incidents, shared_joint_updates, shared_joint_decisions, shared_joint_observables,
        shared_joint_participants TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP VIEW shared_joint_participants, shared_joint_observables, shared_joint_decisions, shared_joint_updates,
        shared_joint_incidents;
      DROP FUNCTION hub_answer_joint_invitation(uuid, boolean, uuid[], text);
      DROP FUNCTION hub_joint_object_grantees(uuid, uuid);
      DROP FUNCTION hub_sync_joint_access(uuid);
      DROP FUNCTION hub_sync_joint_onward(uuid, uuid[]);
      DROP FUNCTION hub_joint_grantees(text, uuid[], uuid[]);
      DROP POLICY access_joint_sync ON access;
      DROP POLICY points_of_contact_joint_sync ON points_of_contact;
      DELETE FROM access WHERE object_type IN ('joint_incident', 'joint_update', 'joint_decision', 'joint_observable');
      DROP TABLE joint_linked_incidents, joint_observables, joint_decisions, joint_updates, joint_participants, joint_incidents;
      DROP FUNCTION hub_access_follow_joint_object(), hub_joint_author_stamp(), hub_joint_member(uuid),
        hub_joint_coordinator(uuid), hub_joint_scope();
      DELETE FROM shareable_types WHERE container_type = 'joint_incident';
      ALTER TABLE outbox DROP COLUMN grantees;
    `);
  }
}
