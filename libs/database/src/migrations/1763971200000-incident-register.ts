import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The incident register of an organisation (ISO/IEC 27035): event reports, incidents, observables,
 * regulatory submissions, the append-only management log and the outbox. Every table is a tenant table
 * behind forced row-level security; the management log and the outbox take no UPDATE or DELETE from hub_app.
 */
export class IncidentRegister1763971200000 implements MigrationInterface {
  name = 'IncidentRegister1763971200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
        category text NOT NULL,
        sub_type text NOT NULL,
        severity smallint NOT NULL CHECK (severity BETWEEN 1 AND 4),
        phase text NOT NULL DEFAULT 'detect_report'
          CHECK (phase IN ('detect_report', 'assess_decide', 'respond', 'learn_lessons', 'closed')),
        impact text NOT NULL DEFAULT '' CHECK (length(impact) <= 20000),
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        aware_at timestamptz,
        detected_at timestamptz,
        reported_at timestamptz,
        contained_at timestamptz,
        closed_at timestamptz,
        internal_notes text NOT NULL DEFAULT '' CHECK (length(internal_notes) <= 20000),
        reporter jsonb,
        affected_assets text NOT NULL DEFAULT '' CHECK (length(affected_assets) <= 20000),
        report jsonb,
        clock_profiles text[] NOT NULL DEFAULT '{}',
        source_event_report_id uuid,
        -- The head of the management log, so that a removed last entry is detectable too.
        log_length integer NOT NULL DEFAULT 0,
        log_head_hash text,
        version integer NOT NULL DEFAULT 1,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || summary)) STORED
      );
      -- The register: one organisation's incidents, newest change first, paged by (updated_at, id).
      CREATE INDEX incidents_register_idx ON incidents (org_id, updated_at DESC, id DESC);
      CREATE INDEX incidents_search_idx ON incidents USING gin (search);

      CREATE TABLE event_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        reporter_name text NOT NULL CHECK (length(reporter_name) BETWEEN 1 AND 200),
        reporter_contact text NOT NULL DEFAULT '' CHECK (length(reporter_contact) <= 300),
        observed_at timestamptz,
        reported_at timestamptz NOT NULL DEFAULT now(),
        description text NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
        affected_asset text NOT NULL DEFAULT '' CHECK (length(affected_asset) <= 2000),
        detection_method text NOT NULL DEFAULT '' CHECK (length(detection_method) <= 300),
        status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'promoted', 'dismissed', 'near_miss')),
        triage_reason text,
        incident_id uuid REFERENCES incidents (id),
        triaged_by uuid,
        triaged_at timestamptz,
        submitted_by uuid NOT NULL,
        idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
        request_hash text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX event_reports_idempotency_key ON event_reports (org_id, submitted_by, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE INDEX event_reports_list_idx ON event_reports (org_id, created_at DESC, id DESC);
      ALTER TABLE incidents ADD CONSTRAINT incidents_source_event_report_fk
        FOREIGN KEY (source_event_report_id) REFERENCES event_reports (id);

      CREATE TABLE observables (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        incident_id uuid NOT NULL REFERENCES incidents (id),
        type text NOT NULL,
        value text NOT NULL CHECK (length(value) BETWEEN 1 AND 2048),
        first_seen timestamptz,
        last_seen timestamptz,
        marking text NOT NULL CHECK (marking IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
        pap text NOT NULL DEFAULT 'AMBER' CHECK (pap IN ('CLEAR', 'GREEN', 'AMBER', 'RED')),
        version integer NOT NULL DEFAULT 1,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (first_seen IS NULL OR last_seen IS NULL OR first_seen <= last_seen)
      );
      CREATE UNIQUE INDEX observables_value_key ON observables (incident_id, type, value);
      CREATE INDEX observables_list_idx ON observables (org_id, incident_id, created_at, id);

      CREATE TABLE regulatory_submissions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        incident_id uuid NOT NULL REFERENCES incidents (id),
        profile text NOT NULL,
        milestone text NOT NULL,
        sent_at timestamptz NOT NULL,
        reference text NOT NULL DEFAULT '' CHECK (length(reference) <= 300),
        recorded_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX regulatory_submissions_key ON regulatory_submissions (incident_id, profile, milestone);

      -- ISO/IEC 27035-1 4.7.3: every action and decision, chained by hash; hub_app may insert and read only.
      CREATE TABLE management_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organisations (id),
        incident_id uuid NOT NULL REFERENCES incidents (id),
        seq integer NOT NULL CHECK (seq >= 1),
        at timestamptz NOT NULL,
        actor_id uuid,
        actor_kind text NOT NULL,
        action text NOT NULL,
        reason text NOT NULL DEFAULT '',
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash text,
        hash text NOT NULL
      );
      CREATE UNIQUE INDEX management_log_chain_key ON management_log (incident_id, seq);

      -- Every change, in the transaction that made it; sockets and feeds will relay from here.
      CREATE TABLE outbox (
        seq bigserial PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES organisations (id),
        event_type text NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id uuid NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX outbox_org_idx ON outbox (org_id, seq);
    `);

    for (const table of ['incidents', 'event_reports', 'observables', 'regulatory_submissions', 'management_log', 'outbox']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`);
    }
    for (const table of ['incidents', 'event_reports', 'observables', 'regulatory_submissions']) {
      await q.query(`
        CREATE POLICY ${table}_tenant ON ${table}
          USING (org_id = hub_current_org()) WITH CHECK (org_id = hub_current_org());
        GRANT SELECT, INSERT, UPDATE ON ${table} TO hub_app;
      `);
    }
    for (const table of ['management_log', 'outbox']) {
      // No UPDATE or DELETE policy and no such grant: append-only for everyone but a superuser.
      await q.query(`
        CREATE POLICY ${table}_read ON ${table} FOR SELECT USING (org_id = hub_current_org());
        CREATE POLICY ${table}_append ON ${table} FOR INSERT WITH CHECK (org_id = hub_current_org());
        GRANT SELECT, INSERT ON ${table} TO hub_app;
      `);
    }
    await q.query('GRANT USAGE ON SEQUENCE outbox_seq_seq TO hub_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE outbox, management_log, regulatory_submissions, observables;
      ALTER TABLE incidents DROP CONSTRAINT incidents_source_event_report_fk;
      DROP TABLE event_reports, incidents;
    `);
  }
}
