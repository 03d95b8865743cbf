import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exercises (ISO/IEC 27035-2 clause 11, plan testing) for an organisation's own incidents, as joint incidents have
 * had since migration 1764662400000: `incidents.exercise`, set when the incident is opened and never changed after
 * (an exercise that turned real is a new incident; a real incident is never relabelled out of the statistics).
 * An exercise runs no regulatory clock and stays out of the management-review figures.
 *
 * `shared_incidents` is the view as migration 1764748800000 last wrote it (the onward pass's owner mask), with
 * `exercise` appended, so a recipient sees that what it was sent is an exercise: exercises show as such everywhere.
 * Appending is what CREATE OR REPLACE VIEW allows; `down()` drops the view and writes it again without the column.
 */
function sharedIncidentsView(withExercise: boolean): string {
  const exercise = withExercise ? ',\n             i.exercise' : '';
  return `
      CREATE OR REPLACE VIEW shared_incidents AS
      SELECT i.id, CASE WHEN g.via_only THEN coalesce(hub_onward_owner_alias(g.vias, i.org_id), i.org_id) ELSE i.org_id END AS org_id,
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
             END AS redactions${exercise}
        FROM incidents i
        CROSS JOIN LATERAL (
          SELECT jsonb_agg(jsonb_build_object('fields', to_jsonb(a.fields), 'redact', a.redact, 'key', encode(a.pseudonym_key, 'hex'))
                           ORDER BY a.id) AS grants,
                 coalesce(bool_and(a.redact = '{}'::jsonb), true) AS plain,
                 coalesce(bool_or(NOT (a.redact ?| ARRAY['title', 'summary'])), false) AS searchable,
                 coalesce(bool_and(a.release_id IS NULL), false) AS via_only,
                 array_agg(DISTINCT a.via) FILTER (WHERE a.via IS NOT NULL) AS vias
            FROM access a
           WHERE a.object_id = i.id AND a.object_type = 'incident' AND a.owner_org_id = i.org_id
             AND a.grantee = ANY (hub_current_grantees())
        ) g
       WHERE i.org_id IS DISTINCT FROM hub_current_org() AND g.grants IS NOT NULL AND hub_reads_shared();`;
}

export class IncidentExercises1765612800000 implements MigrationInterface {
  name = 'IncidentExercises1765612800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- ISO/IEC 27035-2 clause 11: an exercise is kept out of statistics and clocks. Set at creation only.
      ALTER TABLE incidents ADD COLUMN exercise boolean NOT NULL DEFAULT false;
    `);
    await q.query(sharedIncidentsView(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP VIEW shared_incidents');
    await q.query(sharedIncidentsView(false));
    await q.query(`
      GRANT SELECT ON shared_incidents TO hub_app;
      ALTER TABLE incidents DROP COLUMN exercise;
    `);
  }
}
