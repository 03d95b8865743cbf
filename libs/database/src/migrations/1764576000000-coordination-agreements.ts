import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Coordination agreements (ISO/IEC 27035-4 plan and prepare, DESIGN sections 2 and 5). A coordinator publishes
 * an agreement in versions; each version names its parties, default marking, validity and the points of contact
 * each party must name. A party's admin accepts one version; the acceptance is append-only. Taking part in a
 * joint incident needs the acceptance of the LATEST version, valid now: `hub_agreement_in_force` answers that
 * from either side of the tenant boundary.
 */
export class CoordinationAgreements1764576000000 implements MigrationInterface {
  name = 'CoordinationAgreements1764576000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agreements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- The coordinator tenant that publishes the agreement and owns its rows.
        org_id uuid NOT NULL REFERENCES organisations (id),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        current_version integer NOT NULL DEFAULT 1 CHECK (current_version >= 1),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, org_id)
      );
      CREATE INDEX agreements_org_idx ON agreements (org_id, created_at DESC, id DESC);

      CREATE TABLE agreement_versions (
        agreement_id uuid NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        -- The coordinator, as on the agreement (the foreign key below keeps the two equal).
        org_id uuid NOT NULL REFERENCES organisations (id),
        text text NOT NULL CHECK (length(text) BETWEEN 1 AND 100000),
        parties uuid[] NOT NULL CHECK (
          cardinality(parties) BETWEEN 1 AND 200 AND array_position(parties, NULL) IS NULL AND NOT (org_id = ANY (parties))
        ),
        default_marking text NOT NULL CHECK (default_marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        valid_from timestamptz NOT NULL,
        valid_until timestamptz CHECK (valid_until IS NULL OR valid_until > valid_from),
        -- What each party must name: [{ "duty": text, "minimum": int }] (see docs/joint-incidents.md).
        required_contacts jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(required_contacts) = 'array'),
        published_by uuid NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agreement_id, version),
        FOREIGN KEY (agreement_id, org_id) REFERENCES agreements (id, org_id)
      );
      -- "The versions that name me": a party's list.
      CREATE INDEX agreement_versions_parties_idx ON agreement_versions USING gin (parties);

      CREATE TABLE agreement_acceptances (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        agreement_id uuid NOT NULL,
        version integer NOT NULL,
        -- The accepting party owns the row; the coordinator reads it through coordinator_org_id.
        org_id uuid NOT NULL REFERENCES organisations (id),
        coordinator_org_id uuid NOT NULL REFERENCES organisations (id),
        accepted_by uuid NOT NULL,
        accepted_at timestamptz NOT NULL DEFAULT now(),
        -- The party's named points of contact: [{ "duty": text, "pointOfContactId": uuid }], ids of its own
        -- points_of_contact entries at the time of acceptance.
        points_of_contact jsonb NOT NULL CHECK (jsonb_typeof(points_of_contact) = 'array'),
        FOREIGN KEY (agreement_id, version) REFERENCES agreement_versions (agreement_id, version),
        FOREIGN KEY (agreement_id, coordinator_org_id) REFERENCES agreements (id, org_id),
        UNIQUE (agreement_id, version, org_id)
      );
      CREATE INDEX agreement_acceptances_party_idx ON agreement_acceptances (org_id, accepted_at DESC, id DESC);
      CREATE INDEX agreement_acceptances_coordinator_idx ON agreement_acceptances (coordinator_org_id, agreement_id, accepted_at DESC, id DESC);
    `);

    for (const table of ['agreements', 'agreement_versions', 'agreement_acceptances']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`);
    }
    await q.query(`
      -- The coordinator reads and writes its agreements and their versions.
      CREATE POLICY agreements_owner ON agreements USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      CREATE POLICY agreement_versions_owner ON agreement_versions
        USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
      -- A party reads the versions that name it, and only those; and the agreement they belong to.
      -- (The versions' policies never look at agreements, so the two do not recurse.)
      CREATE POLICY agreement_versions_party_read ON agreement_versions FOR SELECT USING (hub_current_org() = ANY (parties));
      CREATE POLICY agreements_party_read ON agreements FOR SELECT USING (EXISTS (
        SELECT 1 FROM agreement_versions v WHERE v.agreement_id = agreements.id AND hub_current_org() = ANY (v.parties)));

      -- A party reads and adds its own acceptances, by its own user, of a version that names it as a party
      -- of that coordinator (the EXISTS reads agreement_versions under the party's own policy above).
      CREATE POLICY agreement_acceptances_party_read ON agreement_acceptances FOR SELECT USING (org_id = hub_current_org());
      CREATE POLICY agreement_acceptances_party_append ON agreement_acceptances FOR INSERT WITH CHECK (
        org_id = hub_current_org() AND accepted_by = hub_current_user_id() AND EXISTS (
          SELECT 1 FROM agreement_versions v
           WHERE v.agreement_id = agreement_acceptances.agreement_id AND v.version = agreement_acceptances.version
             AND v.org_id = agreement_acceptances.coordinator_org_id AND agreement_acceptances.org_id = ANY (v.parties)));
      -- The coordinator reads the acceptances of its agreements.
      CREATE POLICY agreement_acceptances_coordinator_read ON agreement_acceptances FOR SELECT
        USING (coordinator_org_id = hub_current_org());

      -- For the definer function below, which runs as the owner role: it reads these tables across tenants.
      CREATE POLICY agreements_owner_lookup ON agreements FOR SELECT TO CURRENT_USER USING (true);
      CREATE POLICY agreement_versions_owner_lookup ON agreement_versions FOR SELECT TO CURRENT_USER USING (true);
      CREATE POLICY agreement_acceptances_owner_lookup ON agreement_acceptances FOR SELECT TO CURRENT_USER USING (true);

      -- Versions are never changed once published; acceptances are append-only (no UPDATE or DELETE for hub_app).
      GRANT SELECT, INSERT ON agreements, agreement_versions, agreement_acceptances TO hub_app;
      GRANT UPDATE (current_version, updated_at) ON agreements TO hub_app;

      -- The agreement in force between an organisation and a coordinator: the LATEST version of an agreement of
      -- that coordinator, naming the organisation as a party, valid now (valid_from <= now() < valid_until, or
      -- open-ended), that the organisation has accepted. Answers only the two organisations concerned (the
      -- caller must be one of them), so the coordinator's check before an invitation and the party's own check
      -- when it answers read the same thing; anyone else gets no row.
      CREATE FUNCTION hub_agreement_in_force(p_org uuid, p_coordinator uuid)
        RETURNS TABLE (agreement_id uuid, version integer, default_marking text, valid_from timestamptz,
                       valid_until timestamptz, accepted_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT a.id, v.version, v.default_marking, v.valid_from, v.valid_until, acc.accepted_at
          FROM agreements a
          JOIN agreement_versions v ON v.agreement_id = a.id AND v.version = a.current_version
          JOIN agreement_acceptances acc ON acc.agreement_id = a.id AND acc.version = v.version AND acc.org_id = p_org
         WHERE a.org_id = p_coordinator
           AND p_org = ANY (v.parties)
           AND v.valid_from <= now() AND (v.valid_until IS NULL OR now() < v.valid_until)
           AND hub_current_org() IN (p_org, p_coordinator)
         ORDER BY v.published_at DESC, a.id
         LIMIT 1
      $$;
      REVOKE ALL ON FUNCTION hub_agreement_in_force(uuid, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_agreement_in_force(uuid, uuid) TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION hub_agreement_in_force(uuid, uuid);
      DROP TABLE agreement_acceptances, agreement_versions, agreements;
    `);
  }
}
