import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A recipient no longer learns a pseudonymous participant's organisation from the access table.
 *
 * `hub_app` could read `access.owner_org_id` of every grant naming the caller, and for a derived grant (via a joint
 * incident) on a joint update or observable authored by a pseudonymous participant, or on an incident passed on
 * whose owner takes part under a pseudonym, that column is the organisation the pseudonym hides. And
 * `hub_onward_owner_alias(vias, owner)`, which the shared views called with the row's owner, answered any caller's
 * guess of an owner with the participation id exactly when the guess was right.
 *
 * Now each access row carries `listed_owner`: its owner as a recipient may see it, that is the owner's
 * participation id where the row is derived from a joint incident in which the owner takes part under a pseudonym,
 * else the owner organisation. A trigger sets it from the row itself in the transaction that writes it: for a joint
 * update or observable from the author stamp the shared views mask by, for an object passed on from the
 * coordinator's own participation rows (a participant cannot write those), and again when a participation changes. `hub_app`
 * reads `listed_owner` and no longer `owner_org_id` (the owner's policy keeps the real owner; `hub_granted` no longer
 * takes the owner into account, so it cannot confirm a guessed one); the shared views take the masked owner from their own
 * grants instead of calling the alias function, which `hub_app` may no longer execute.
 */
export class GranteeOwnerGuard1765180800000 implements MigrationInterface {
  name = 'GranteeOwnerGuard1765180800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE access ADD COLUMN listed_owner uuid;

      -- Runs as the owner role inside the writer's transaction. A derived row is written by the joint functions,
      -- whose scope (hub.joint_scope) opens that joint incident's participants to the owner role.
      CREATE FUNCTION hub_access_listed_owner() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_alias uuid;
          v_prev_scope text := current_setting('hub.joint_scope', true);
        BEGIN
          NEW.listed_owner := NEW.owner_org_id;
          IF NEW.via ~ '^joint:[0-9a-f-]{36}$' THEN
            PERFORM set_config('hub.joint_scope', substr(NEW.via, 7), true);
            IF NEW.object_type = 'joint_update' THEN
              -- The author stamp the shared views mask by, written from the author's own participation.
              SELECT u.author_participant_id INTO v_alias FROM joint_updates u
               WHERE u.id = NEW.object_id AND u.author_pseudonym IS NOT NULL;
            ELSIF NEW.object_type = 'joint_observable' THEN
              SELECT ob.author_participant_id INTO v_alias FROM joint_observables ob
               WHERE ob.id = NEW.object_id AND ob.author_pseudonym IS NOT NULL;
            ELSIF NEW.object_type NOT IN ('joint_incident', 'joint_decision') THEN
              -- An object passed on: its owner's latest pseudonymous participation, as the coordinator recorded it.
              SELECT p.id INTO v_alias FROM joint_participants p
                JOIN joint_incidents j ON j.id = p.joint_incident_id AND j.org_id = p.org_id
               WHERE p.joint_incident_id = substr(NEW.via, 7)::uuid AND p.participant_org_id = NEW.owner_org_id AND p.pseudonym IS NOT NULL
               ORDER BY p.invited_at DESC, p.id DESC LIMIT 1;
            END IF;
            PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true);
            IF v_alias IS NOT NULL THEN NEW.listed_owner := v_alias; END IF;
          END IF;
          RETURN NEW;
        END $$;
      REVOKE ALL ON FUNCTION hub_access_listed_owner() FROM PUBLIC;
      CREATE TRIGGER access_listed_owner BEFORE INSERT OR UPDATE OF owner_org_id, via ON access
        FOR EACH ROW EXECUTE FUNCTION hub_access_listed_owner();

      -- An organisation may be invited under a pseudonym after rows naming it as owner were derived from the joint
      -- incident (an incident of its passed on earlier): list those rows again when a participation changes.
      CREATE FUNCTION hub_participation_relists() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
          v_prev_scope text := current_setting('hub.joint_scope', true);
        BEGIN
          PERFORM set_config('hub.joint_scope', NEW.joint_incident_id::text, true);
          UPDATE access SET via = via
           WHERE via = 'joint:' || NEW.joint_incident_id::text AND release_id IS NULL AND owner_org_id = NEW.participant_org_id;
          PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true);
          RETURN NULL;
        END $$;
      REVOKE ALL ON FUNCTION hub_participation_relists() FROM PUBLIC;
      CREATE TRIGGER joint_participants_relist AFTER INSERT OR UPDATE OF pseudonym, state, participant_org_id ON joint_participants
        FOR EACH ROW EXECUTE FUNCTION hub_participation_relists();
    `);
    // Existing rows, through the trigger, with row-level security lifted for the migration role meanwhile.
    await q.query(`
      ALTER TABLE access NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE joint_participants NO FORCE ROW LEVEL SECURITY;
      UPDATE access SET via = via;
      ALTER TABLE joint_participants FORCE ROW LEVEL SECURITY;
      ALTER TABLE access FORCE ROW LEVEL SECURITY;
      ALTER TABLE access ALTER COLUMN listed_owner SET NOT NULL;
      REVOKE SELECT (owner_org_id) ON access FROM hub_app;
      GRANT SELECT (listed_owner) ON access TO hub_app;
      -- The grant check of the shared-read policies and views no longer compares the owner they pass: a caller able
      -- to pass any owner could confirm a guess of who is behind a pseudonym. (type, id) names one row already (each
      -- type's id is its table's primary key), so the grant alone decides: the same probe of access_object_idx.
      CREATE OR REPLACE FUNCTION hub_granted(p_type text, p_object uuid, p_owner uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        BEGIN
          RETURN EXISTS (SELECT 1 FROM access a WHERE a.object_id = p_object AND a.object_type = p_type
                            AND a.grantee = ANY (hub_current_grantees()));
        END $$;
    `);
    for (const view of ['shared_incidents', 'shared_observables']) await maskFromGrants(q, view);
    await q.query(`
      REVOKE EXECUTE ON FUNCTION hub_onward_owner_alias(text[], uuid) FROM hub_app;
      REVOKE ALL ON FUNCTION hub_granted(text, uuid, uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_granted(text, uuid, uuid) TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const view of ['shared_incidents', 'shared_observables']) await unmaskFromGrants(q, view);
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_granted(p_type text, p_object uuid, p_owner uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
        BEGIN
          RETURN EXISTS (SELECT 1 FROM access a WHERE a.object_id = p_object AND a.object_type = p_type
                            AND a.owner_org_id = p_owner AND a.grantee = ANY (hub_current_grantees()));
        END $$;
      DROP TRIGGER joint_participants_relist ON joint_participants;
      DROP FUNCTION hub_participation_relists();
      DROP TRIGGER access_listed_owner ON access;
      DROP FUNCTION hub_access_listed_owner();
      GRANT EXECUTE ON FUNCTION hub_onward_owner_alias(text[], uuid) TO hub_app;
      REVOKE SELECT (listed_owner) ON access FROM hub_app;
      GRANT SELECT (owner_org_id) ON access TO hub_app;
      ALTER TABLE access DROP COLUMN listed_owner;
    `);
  }
}

const ALIAS_CALL = /hub_onward_owner_alias\(g\.vias, ([io])\.org_id\)/g;
const VIAS = /\bAS vias\b/g;
const LISTED = 'AS vias, (array_agg(a.listed_owner) FILTER (WHERE a.listed_owner <> a.owner_org_id))[1] AS listed_owner';

/**
 * The view as the database holds it now (written by migrations 1764748800000 and 1764835200000), with the masked
 * owner taken from the caller's own grants (`listed_owner`) instead of the alias function: one edit each, checked.
 */
async function maskFromGrants(q: QueryRunner, view: string): Promise<void> {
  const definition = await viewDefinition(q, view);
  if ((definition.match(ALIAS_CALL) ?? []).length !== 1 || (definition.match(VIAS) ?? []).length !== 1) {
    throw new Error(`${view} is not the view this migration expects (one alias call, one vias aggregate)`);
  }
  await q.query(`CREATE OR REPLACE VIEW ${view} AS ${definition.replace(ALIAS_CALL, 'g.listed_owner').replace(VIAS, LISTED)}`);
}

async function unmaskFromGrants(q: QueryRunner, view: string): Promise<void> {
  const definition = await viewDefinition(q, view);
  const alias = view === 'shared_incidents' ? 'i' : 'o';
  await q.query(
    `CREATE OR REPLACE VIEW ${view} AS ${definition.replace(/\bg\.listed_owner\b/, `hub_onward_owner_alias(g.vias, ${alias}.org_id)`).replace(/,\s*\(array_agg\(a\.listed_owner\)[\s\S]*?AS listed_owner/, '')}`,
  );
}

async function viewDefinition(q: QueryRunner, view: string): Promise<string> {
  const [{ definition }] = await q.query('SELECT pg_get_viewdef($1::regclass, false) AS definition', [view]);
  return String(definition).trim().replace(/;$/, '');
}
