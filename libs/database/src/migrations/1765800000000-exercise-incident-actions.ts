import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An improvement action raised from an exercise incident is an exercise too (ISO/IEC 27035-2 clause 11: exercises
 * stay out of every statistic). Migration 1765526400000 stamped `exercise` from the joint incident only, since member
 * incidents had no such flag before migration 1765612800000; the stamp now reads the owner's incident as well.
 */
export class ExerciseIncidentActions1765800000000 implements MigrationInterface {
  name = 'ExerciseIncidentActions1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(stamp(`coalesce((SELECT i.exercise FROM incidents i WHERE i.id = NEW.incident_id AND i.org_id = NEW.org_id), false)`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(stamp('false'));
  }
}

/** hub_improvement_action_stamp as migration 1765526400000 wrote it, an incident-sourced action's flag given by `ofIncident`. */
function stamp(ofIncident: string): string {
  return `
      CREATE OR REPLACE FUNCTION hub_improvement_action_stamp() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          j record;
          v_prev_scope text := current_setting('hub.joint_scope', true);
          v_prev_reads text := current_setting('hub.reads', true);
        BEGIN
          IF NEW.joint_incident_id IS NULL THEN
            -- The owner's own incident, under its own tenant context (the owner policy on incidents).
            NEW.exercise := ${ofIncident};
            RETURN NEW;
          END IF;
          PERFORM set_config('hub.joint_scope', NEW.joint_incident_id::text, true), set_config('hub.reads', '', true);
          SELECT id, org_id, exercise INTO j FROM joint_incidents WHERE id = NEW.joint_incident_id;
          IF NOT FOUND OR (j.org_id <> NEW.org_id AND NOT EXISTS (
               SELECT 1 FROM joint_participants p WHERE p.joint_incident_id = j.id AND p.participant_org_id = NEW.org_id
                  AND p.state = 'accepted')) THEN
            RAISE EXCEPTION 'organisation % takes no part in joint incident %', NEW.org_id, NEW.joint_incident_id
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          NEW.exercise := j.exercise;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true), set_config('hub.reads', coalesce(v_prev_reads, ''), true);
          RETURN NEW;
        END $$;`;
}
