import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sharing policy's data (DESIGN section 4). `releases` records what an owner released to whom; `access`
 * is derived from it (one row per object and grantee key) and kept in step in the same transaction, so
 * "who may read what" is one indexed lookup. Row-level security on incidents and observables now also lets a
 * grantee read the rows an access row names; writes stay with the owner.
 */
export class SharingPolicy1764144000000 implements MigrationInterface {
  name = 'SharingPolicy1764144000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The grantee keys of the caller, from the transaction's tenant context: its organisation, its user, the
      -- community (members and coordinators) and the public. Access rows name one of these keys.
      CREATE FUNCTION hub_current_grantees() RETURNS text[] LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN hub_current_org() IS NULL THEN '{}'::text[] ELSE array_remove(ARRAY[
          'org:' || hub_current_org()::text,
          'user:' || hub_current_user_id()::text,
          CASE WHEN hub_current_org_kind() IN ('member', 'coordinator') THEN 'community' END,
          'public'], NULL) END
      $$;

      -- Shared rows are readable only in a transaction that says it reads shared data (the shared views and
      -- the explanation). Every other transaction, the owner's register included, sees its own rows only,
      -- so an owner path that forgets its organisation filter still cannot pick up another's incident.
      CREATE FUNCTION hub_reads_shared() RETURNS boolean LANGUAGE sql STABLE
        AS $$ SELECT coalesce(current_setting('hub.reads', true), '') = 'shared' $$;

      CREATE TABLE releases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        incident_id uuid NOT NULL REFERENCES incidents (id),
        object_type text NOT NULL CHECK (object_type IN ('incident', 'observable')),
        object_id uuid NOT NULL,
        -- An observable's release rides on the incident release to the same recipient, and ends with it.
        parent_release_id uuid REFERENCES releases (id),
        recipient_kind text NOT NULL CHECK (recipient_kind IN ('organisation', 'user', 'community', 'public')),
        recipient_org_id uuid REFERENCES organisations (id),
        recipient_user_id uuid REFERENCES users (id),
        fields text[] NOT NULL DEFAULT '{}',
        redact jsonb NOT NULL DEFAULT '{}'::jsonb,
        pseudonym_key bytea NOT NULL,
        reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by uuid,
        revoke_reason text,
        CHECK ((recipient_kind = 'organisation') = (recipient_org_id IS NOT NULL)),
        CHECK ((recipient_kind = 'user') = (recipient_user_id IS NOT NULL)),
        CHECK (recipient_org_id IS DISTINCT FROM org_id),
        CHECK ((object_type = 'incident') = (object_id = incident_id)),
        CHECK ((object_type = 'observable') = (parent_release_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX releases_active_key
        ON releases (object_id, recipient_kind, coalesce(recipient_org_id, recipient_user_id, '00000000-0000-0000-0000-000000000000'::uuid))
        WHERE revoked_at IS NULL;
      CREATE INDEX releases_incident_idx ON releases (org_id, incident_id, created_at, id);
      CREATE INDEX releases_parent_idx ON releases (parent_release_id) WHERE parent_release_id IS NOT NULL;

      CREATE TABLE access (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        owner_org_id uuid NOT NULL REFERENCES organisations (id),
        object_type text NOT NULL CHECK (object_type IN ('incident', 'observable')),
        object_id uuid NOT NULL,
        incident_id uuid NOT NULL REFERENCES incidents (id),
        grantee text NOT NULL CHECK (grantee ~ '^(org:|user:)[0-9a-f-]{36}$' OR grantee IN ('community', 'public')),
        release_id uuid REFERENCES releases (id),
        -- The joint-incident issue adds onward grants (the coordinator passing AMBER to its participants):
        -- those rows name the joint incident here instead of a release.
        via text,
        fields text[] NOT NULL DEFAULT '{}',
        redact jsonb NOT NULL DEFAULT '{}'::jsonb,
        pseudonym_key bytea,
        -- The incident's updated_at, kept in step by a trigger: the shared views page through a grantee's
        -- rows in the register's order without reading every grant first.
        sort_at timestamptz,
        CHECK (release_id IS NOT NULL OR via IS NOT NULL)
      );
      CREATE INDEX access_object_idx ON access (object_id, grantee);
      CREATE INDEX access_feed_idx ON access (grantee, object_type, sort_at DESC, object_id DESC);
      CREATE INDEX access_owner_idx ON access (owner_org_id, incident_id);
      -- The shared views list incidents of many owners, newest change first.
      CREATE INDEX incidents_recent_idx ON incidents (updated_at DESC, id DESC);

      ALTER TABLE releases ENABLE ROW LEVEL SECURITY; ALTER TABLE releases FORCE ROW LEVEL SECURITY;
      ALTER TABLE access ENABLE ROW LEVEL SECURITY; ALTER TABLE access FORCE ROW LEVEL SECURITY;
      CREATE POLICY releases_owner ON releases USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      CREATE POLICY access_owner ON access USING (owner_org_id = hub_current_org()) WITH CHECK (owner_org_id = hub_current_org());
      -- Not gated by hub_reads_shared(): an access row names ids only, and the extra condition inside this
      -- OR of policies misleads the planner's estimates for the shared views (measured: 14 ms to 133 ms).
      CREATE POLICY access_grantee ON access FOR SELECT USING (grantee = ANY ((SELECT hub_current_grantees())::text[]));
      GRANT SELECT, INSERT, UPDATE ON releases TO hub_app;
      GRANT SELECT, INSERT, DELETE ON access TO hub_app;
      GRANT UPDATE (sort_at) ON access TO hub_app;

      -- Runs as the caller (the owner's transaction): its access_owner policy covers the rows it updates.
      CREATE FUNCTION hub_access_follow_incident() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE access SET sort_at = NEW.updated_at WHERE object_id = NEW.id AND object_type = 'incident';
          RETURN NULL;
        END $$;
      CREATE TRIGGER incidents_access_sort AFTER UPDATE OF updated_at ON incidents
        FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION hub_access_follow_incident();

      -- Owners write; a grantee reads what an access row of the row's owner names it for, and nothing else.
      -- The grant check is a PL/pgSQL function on purpose: an EXISTS written in the policy is planned into
      -- every query on the table (measured: +0.4 ms on each owner read) and may be turned into a hash over
      -- every grant the caller holds; the function runs only for rows not the caller's own, as a probe of
      -- access_object_idx with a plan cached per connection.
      CREATE FUNCTION hub_granted(p_type text, p_object uuid, p_owner uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        BEGIN
          RETURN EXISTS (SELECT 1 FROM access a WHERE a.object_id = p_object AND a.object_type = p_type
                            AND a.owner_org_id = p_owner AND a.grantee = ANY (hub_current_grantees()));
        END $$;
      GRANT EXECUTE ON FUNCTION hub_granted(text, uuid, uuid) TO hub_app;
      DROP POLICY incidents_tenant ON incidents;
      CREATE POLICY incidents_owner ON incidents USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      CREATE POLICY incidents_shared_read ON incidents FOR SELECT
        USING (org_id = hub_current_org() OR (hub_reads_shared() AND hub_granted('incident', id, org_id)));
      DROP POLICY observables_tenant ON observables;
      CREATE POLICY observables_owner ON observables USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      CREATE POLICY observables_shared_read ON observables FOR SELECT
        USING (org_id = hub_current_org() OR (hub_reads_shared() AND hub_granted('observable', id, org_id)));

      -- For the definer functions below, which run as the owner role: it reads these tables across tenants.
      CREATE POLICY releases_owner_lookup ON releases FOR SELECT TO CURRENT_USER USING (true);
      CREATE POLICY access_owner_lookup ON access FOR SELECT TO CURRENT_USER USING (true);

      -- A named recipient user: its organisation, if it is an active user of an active organisation.
      CREATE FUNCTION hub_user_org(p_user uuid) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT u.org_id FROM users u JOIN organisations o ON o.id = u.org_id AND o.status = 'active'
         WHERE u.id = p_user AND u.status = 'active'
      $$;

      -- "Who can read this, and why": the live grants on an object, for a caller that owns it or, as a
      -- coordinator, was released it by name (its organisation or one of its users; the community or the
      -- public do not count). Anyone else gets no rows, as if the object did not exist.
      CREATE FUNCTION hub_object_grants(p_object uuid)
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
      REVOKE ALL ON FUNCTION hub_user_org(uuid), hub_object_grants(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_user_org(uuid), hub_object_grants(uuid) TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION hub_object_grants(uuid); DROP FUNCTION hub_user_org(uuid);
      DROP POLICY observables_shared_read ON observables; DROP POLICY observables_owner ON observables;
      CREATE POLICY observables_tenant ON observables USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      DROP POLICY incidents_shared_read ON incidents; DROP POLICY incidents_owner ON incidents;
      CREATE POLICY incidents_tenant ON incidents USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      DROP FUNCTION hub_granted(text, uuid, uuid);
      DROP INDEX incidents_recent_idx;
      DROP TRIGGER incidents_access_sort ON incidents; DROP FUNCTION hub_access_follow_incident();
      DROP TABLE access, releases;
      DROP FUNCTION hub_current_grantees(); DROP FUNCTION hub_reads_shared();
    `);
  }
}
