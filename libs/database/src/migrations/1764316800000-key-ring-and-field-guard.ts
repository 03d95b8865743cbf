import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secrets and the database's own guard.
 *
 * The key ring replaces `signing_keys`, which held private JWKs in clear where the application role could
 * read and rewrite them: one ring per purpose ('access-token' now, 'feed' later), `kid` = the JWK thumbprint,
 * the public JWK in clear, the private JWK sealed with AES-256-GCM under a key-encryption key that only the
 * hub processes hold (from configuration, never in the database). `hub_app` may read rows and add keys; it
 * may not change, date, retire or delete them: those are the owner role's. A retired key signs nothing new
 * and stays listed, so what it signed stays verifiable. Nothing of `signing_keys` is carried over: its private
 * keys sat in clear where `hub_app` could read and add them (and in every backup since), so a token they sign
 * is trusted no more. Access tokens signed before the upgrade are refused (clients refresh: refresh tokens are
 * not signed), and each hub generates a sealed key on its next start.
 *
 * The field guard: row-level security decided which rows a recipient reads, but not which fields, so a
 * shared-read transaction of `hub_app` could select another organisation's `internal_notes`, `reporter` and
 * `affected_assets`, and a grantee could read `access.pseudonym_key`. Now the grantee branch of the policies
 * on `incidents` and `observables` applies to the owner role only, through the views `shared_incidents` and
 * `shared_observables` (owned by it), which return another organisation's row with each field as the caller's
 * grants release it: internal-only fields only where a grant names them, redacted (blanked, or pseudonymised
 * in SQL under the release's key) where every covering grant redacts them, and nothing that never leaves the
 * owner. `hub_app` reads every column of `access` but the pseudonym key.
 */
export class KeyRingAndFieldGuard1764316800000 implements MigrationInterface {
  name = 'KeyRingAndFieldGuard1764316800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE key_ring (
        kid text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('access-token', 'feed')),
        alg text NOT NULL,
        public_jwk jsonb NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object' AND NOT public_jwk ? 'd'),
        -- 0x01 || IV || GCM tag || ciphertext, with purpose and kid as associated data; NULL only for a key
        -- known by its public half only, which can never sign again.
        private_jwk_sealed bytea,
        -- Which key-encryption key sealed it (a hash-derived name, not the key), so a process with another
        -- KEK refuses to sign instead of failing on every token.
        kek_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        CHECK (private_jwk_sealed IS NOT NULL OR retired_at IS NOT NULL),
        CHECK ((private_jwk_sealed IS NULL) = (kek_id IS NULL))
      );
      CREATE INDEX key_ring_purpose_idx ON key_ring (purpose, created_at DESC);
      DROP TABLE signing_keys;
      -- Column privileges: created_at and retired_at take their defaults, so the application cannot post-date
      -- a key to keep it newest, nor insert one already retired; no UPDATE or DELETE at all.
      GRANT SELECT ON key_ring TO hub_app;
      GRANT INSERT (kid, purpose, alg, public_jwk, private_jwk_sealed, kek_id) ON key_ring TO hub_app;
    `);

    await q.query(`
      -- HMAC-SHA-256 (RFC 2104) over the built-in sha256(), so no extension is needed.
      CREATE FUNCTION hub_hmac_sha256(p_key bytea, p_message bytea) RETURNS bytea
        LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
        DECLARE
          k bytea := CASE WHEN length(p_key) > 64 THEN sha256(p_key) ELSE p_key END;
          ipad bytea;
          opad bytea;
        BEGIN
          k := k || decode(repeat('00', 64 - length(k)), 'hex');
          ipad := k;
          opad := k;
          FOR i IN 0..63 LOOP
            ipad := set_byte(ipad, i, get_byte(k, i) # 54);
            opad := set_byte(opad, i, get_byte(k, i) # 92);
          END LOOP;
          RETURN sha256(opad || sha256(ipad || p_message));
        END $$;

      -- A pseudonym stable within one release and unlinkable across releases: 'pseudonym-' and 16 hex digits of
      -- the HMAC of each string under the release's key, through arrays and objects; other scalars become null.
      CREATE FUNCTION hub_pseudonymise(p_value jsonb, p_key bytea) RETURNS jsonb
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, public AS $$
        BEGIN
          CASE jsonb_typeof(p_value)
            WHEN 'string' THEN
              IF p_value #>> '{}' = '' THEN RETURN p_value; END IF;
              RETURN to_jsonb('pseudonym-' || left(encode(hub_hmac_sha256(p_key, convert_to(p_value #>> '{}', 'UTF8')), 'hex'), 16));
            WHEN 'array' THEN
              RETURN coalesce((SELECT jsonb_agg(hub_pseudonymise(e, p_key) ORDER BY n)
                                 FROM jsonb_array_elements(p_value) WITH ORDINALITY AS t(e, n)), '[]'::jsonb);
            WHEN 'object' THEN
              RETURN coalesce((SELECT jsonb_object_agg(k, hub_pseudonymise(v, p_key)) FROM jsonb_each(p_value) AS t(k, v)), '{}'::jsonb);
            ELSE
              RETURN CASE WHEN p_value IS NULL THEN NULL ELSE 'null'::jsonb END;
          END CASE;
        END $$;

      -- One field as the caller's grants on the row release it (p_grants: its access rows, oldest first, each
      -- {fields, redact, key}). Not covered (an internal-only field is covered only by a grant naming it): NULL.
      -- Sent as it is by some covering grant: the value. Otherwise pseudonymised under the first covering grant
      -- that pseudonymises it, or blanked ('' for text, NULL otherwise). Mirrors DESIGN section 4's allow-list.
      CREATE FUNCTION hub_release_field(p_field text, p_internal boolean, p_value jsonb, p_grants jsonb) RETURNS jsonb
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, public AS $$
        DECLARE
          g jsonb;
          covered boolean := false;
          pseudonym_key bytea;
        BEGIN
          FOR g IN SELECT e FROM jsonb_array_elements(coalesce(p_grants, '[]'::jsonb)) AS t(e) LOOP
            CONTINUE WHEN p_internal AND NOT (g -> 'fields') ? p_field;
            covered := true;
            IF NOT (g -> 'redact') ? p_field THEN RETURN p_value; END IF;
            IF pseudonym_key IS NULL AND g -> 'redact' ->> p_field = 'pseudonymise' AND g ->> 'key' IS NOT NULL THEN
              pseudonym_key := decode(g ->> 'key', 'hex');
            END IF;
          END LOOP;
          IF NOT covered THEN RETURN NULL; END IF;
          IF pseudonym_key IS NOT NULL THEN RETURN hub_pseudonymise(p_value, pseudonym_key); END IF;
          RETURN CASE WHEN jsonb_typeof(p_value) = 'string' THEN '""'::jsonb END;
        END $$;

      -- Which redaction hub_release_field applied to a field: 'blank', 'pseudonymise', or NULL (sent or absent).
      CREATE FUNCTION hub_release_redaction(p_field text, p_internal boolean, p_grants jsonb) RETURNS text
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
        DECLARE
          g jsonb;
          kind text;
        BEGIN
          FOR g IN SELECT e FROM jsonb_array_elements(coalesce(p_grants, '[]'::jsonb)) AS t(e) LOOP
            CONTINUE WHEN p_internal AND NOT (g -> 'fields') ? p_field;
            IF NOT (g -> 'redact') ? p_field THEN RETURN NULL; END IF;
            IF g -> 'redact' ->> p_field = 'pseudonymise' AND g ->> 'key' IS NOT NULL THEN
              kind := 'pseudonymise';
            ELSIF kind IS NULL THEN
              kind := 'blank';
            END IF;
          END LOOP;
          RETURN kind;
        END $$;
      REVOKE ALL ON FUNCTION hub_hmac_sha256(bytea, bytea), hub_pseudonymise(jsonb, bytea),
        hub_release_field(text, boolean, jsonb, jsonb), hub_release_redaction(text, boolean, jsonb) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_hmac_sha256(bytea, bytea), hub_pseudonymise(jsonb, bytea),
        hub_release_field(text, boolean, jsonb, jsonb), hub_release_redaction(text, boolean, jsonb) TO hub_app;

      -- Grantees no longer read the base tables: the grantee branch now serves the owner role, which owns the
      -- views below, so another organisation's row reaches hub_app only through them.
      DROP POLICY incidents_shared_read ON incidents;
      CREATE POLICY incidents_shared_read ON incidents FOR SELECT TO CURRENT_USER
        USING (hub_reads_shared() AND hub_granted('incident', id, org_id));
      DROP POLICY observables_shared_read ON observables;
      CREATE POLICY observables_shared_read ON observables FOR SELECT TO CURRENT_USER
        USING (hub_reads_shared() AND hub_granted('observable', id, org_id));
    `);
    // Every other role reads its own rows, in the same OR as before, whose second branch holds only for the
    // owner role connecting itself (never for hub_app; inside the views current_user is still the caller).
    // Kept as an OR for the planner: a bare org_id = hub_current_org() merges with the register's own
    // org_id = $1 into one equivalence class, and the planner then walks incidents_recent_idx instead of
    // incidents_register_idx (test/incidents.e2e-spec.ts, "the register stays index-backed").
    const [{ owner }] = await q.query('SELECT quote_literal(current_user) AS owner');
    await q.query(`
      CREATE POLICY incidents_own_read ON incidents FOR SELECT
        USING (org_id = hub_current_org() OR (current_user = ${owner} AND hub_reads_shared() AND hub_granted('incident', id, org_id)));
      CREATE POLICY observables_own_read ON observables FOR SELECT
        USING (org_id = hub_current_org() OR (current_user = ${owner} AND hub_reads_shared() AND hub_granted('observable', id, org_id)));
    `);
    await q.query(`

      -- Another organisation's incidents as the caller's grants release them; the same columns as the table, so
      -- the shared views read it like the register reads incidents. A plain (non-barrier) view so the planner
      -- keeps the shared views' index paths: the rows are limited by the policies above (security quals, applied
      -- before any of the caller's conditions) and the caller sees only the computed columns.
      CREATE VIEW shared_incidents AS
      SELECT i.id, i.org_id,
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
                 coalesce(bool_or(NOT (a.redact ?| ARRAY['title', 'summary'])), false) AS searchable
            FROM access a
           WHERE a.object_id = i.id AND a.object_type = 'incident' AND a.owner_org_id = i.org_id
             AND a.grantee = ANY (hub_current_grantees())
        ) g
       WHERE i.org_id IS DISTINCT FROM hub_current_org() AND g.grants IS NOT NULL AND hub_reads_shared();

      -- Another organisation's observables: no internal-only or redactable field, so only the creator is held back.
      -- The shared-read and grant conditions repeat the row-level security here, so the view fails closed even
      -- if it were ever owned by a role that row-level security does not bind.
      CREATE VIEW shared_observables AS
      SELECT o.id, o.org_id, o.incident_id, o.type, o.value, o.first_seen, o.last_seen, o.marking, o.pap, o.version,
             NULL::uuid AS created_by, o.created_at, o.updated_at
        FROM observables o
       WHERE o.org_id IS DISTINCT FROM hub_current_org() AND hub_reads_shared() AND hub_granted('observable', o.id, o.org_id);
      GRANT SELECT ON shared_incidents, shared_observables TO hub_app;

      -- The pseudonym key stays in the database: the views above use it; hub_app reads every other column.
      REVOKE SELECT ON access FROM hub_app;
      GRANT SELECT (id, owner_org_id, object_type, object_id, incident_id, grantee, release_id, via, fields, redact, sort_at)
        ON access TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      REVOKE SELECT ON access FROM hub_app;
      GRANT SELECT ON access TO hub_app;
      DROP VIEW shared_observables, shared_incidents;
      DROP POLICY observables_own_read ON observables;
      DROP POLICY incidents_own_read ON incidents;
      DROP POLICY observables_shared_read ON observables;
      CREATE POLICY observables_shared_read ON observables FOR SELECT
        USING (org_id = hub_current_org() OR (hub_reads_shared() AND hub_granted('observable', id, org_id)));
      DROP POLICY incidents_shared_read ON incidents;
      CREATE POLICY incidents_shared_read ON incidents FOR SELECT
        USING (org_id = hub_current_org() OR (hub_reads_shared() AND hub_granted('incident', id, org_id)));
      DROP FUNCTION hub_release_redaction(text, boolean, jsonb), hub_release_field(text, boolean, jsonb, jsonb),
        hub_pseudonymise(jsonb, bytea), hub_hmac_sha256(bytea, bytea);
    `);
    await q.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('access-token')),
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      );
      GRANT SELECT, INSERT, UPDATE ON signing_keys TO hub_app;
      DROP TABLE key_ring;
    `);
  }
}
