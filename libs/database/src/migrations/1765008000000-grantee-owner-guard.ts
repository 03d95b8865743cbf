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
 * else the owner organisation (set by a trigger from the row itself, in the transaction that writes it). `hub_app`
 * reads `listed_owner` and no longer `owner_org_id` (the owner's policy now names `listed_owner`, and `hub_granted`,
 * which matches the real owner, runs as the owner role); the shared views take the masked owner from their own
 * grants instead of calling the alias function, which `hub_app` may no longer execute.
 */
export class GranteeOwnerGuard1765008000000 implements MigrationInterface {
  name = 'GranteeOwnerGuard1765008000000';

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
            SELECT p.id INTO v_alias FROM joint_participants p
             WHERE p.joint_incident_id = substr(NEW.via, 7)::uuid AND p.participant_org_id = NEW.owner_org_id AND p.pseudonym IS NOT NULL
             ORDER BY p.invited_at DESC, p.id DESC LIMIT 1;
            PERFORM set_config('hub.joint_scope', coalesce(v_prev_scope, ''), true);
            IF v_alias IS NOT NULL THEN NEW.listed_owner := v_alias; END IF;
          END IF;
          RETURN NEW;
        END $$;
      REVOKE ALL ON FUNCTION hub_access_listed_owner() FROM PUBLIC;
      CREATE TRIGGER access_listed_owner BEFORE INSERT OR UPDATE OF owner_org_id, via ON access
        FOR EACH ROW EXECUTE FUNCTION hub_access_listed_owner();
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
      -- The grant check of the shared-read policies and views matches the real owner, which hub_app no longer reads:
      -- it runs as the owner role (the same statement, still a probe of access_object_idx planned once per connection).
      CREATE OR REPLACE FUNCTION hub_granted(p_type text, p_object uuid, p_owner uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
          RETURN EXISTS (SELECT 1 FROM access a WHERE a.object_id = p_object AND a.object_type = p_type
                            AND a.owner_org_id = p_owner AND a.grantee = ANY (hub_current_grantees()));
        END $$;
      -- The owner's policy in terms hub_app may read (a policy's columns need the reader's privilege): the same
      -- rows, since its release rows and the derived rows of joint incidents it coordinates list it as their owner.
      DROP POLICY access_owner ON access;
      CREATE POLICY access_owner ON access
        USING (listed_owner = hub_current_org() AND (release_id IS NOT NULL OR hub_joint_coordinator_via(via)))
        WITH CHECK (listed_owner = hub_current_org() AND (release_id IS NOT NULL OR hub_joint_coordinator_via(via)));
    `);
    for (const view of ['shared_incidents', 'shared_observables']) await maskFromGrants(q, view);
    await q.query('REVOKE EXECUTE ON FUNCTION hub_onward_owner_alias(text[], uuid) FROM hub_app');
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
      DROP POLICY access_owner ON access;
      CREATE POLICY access_owner ON access
        USING (owner_org_id = hub_current_org() AND (release_id IS NOT NULL OR hub_joint_coordinator_via(via)))
        WITH CHECK (owner_org_id = hub_current_org() AND (release_id IS NOT NULL OR hub_joint_coordinator_via(via)));
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
