import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sharing policy's tables become generic over the registry of shareable types (DESIGN section 4).
 * `shareable_types` names every type the policy knows and the type of its container (the incident or joint
 * incident it belongs to); `releases` and `access` refer to any registered object and its container instead of
 * naming incidents and observables. A new shareable type is a row here (with its table and shared view in its
 * own migration) and an entry in libs/sharing's registry.
 *
 * `hub_after_grants_changed` is the hook the sharing library calls, in the owner's transaction, after it ends
 * releases or changes a marking: grants derived from those objects elsewhere (the coordinator's onward pass into
 * a joint incident) are recomputed there. It does nothing until a migration that derives grants replaces it.
 */
export class ShareableRegistry1764403200000 implements MigrationInterface {
  name = 'ShareableRegistry1764403200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shareable_types (
        type text PRIMARY KEY CHECK (type ~ '^[a-z][a-z_]{1,39}$'),
        container_type text NOT NULL
      );
      INSERT INTO shareable_types (type, container_type) VALUES ('incident', 'incident'), ('observable', 'incident');
      ALTER TABLE shareable_types ADD FOREIGN KEY (container_type) REFERENCES shareable_types (type) DEFERRABLE INITIALLY DEFERRED;
      GRANT SELECT ON shareable_types TO hub_app;

      ALTER TABLE releases DROP CONSTRAINT releases_object_type_check;
      ALTER TABLE releases DROP CONSTRAINT releases_check3;
      ALTER TABLE releases DROP CONSTRAINT releases_check4;
      ALTER TABLE releases DROP CONSTRAINT releases_incident_id_fkey;
      ALTER TABLE releases RENAME COLUMN incident_id TO container_id;
      ALTER TABLE releases ADD COLUMN container_type text NOT NULL DEFAULT 'incident';
      ALTER TABLE releases ALTER COLUMN container_type DROP DEFAULT;
      ALTER TABLE releases ADD FOREIGN KEY (object_type) REFERENCES shareable_types (type);
      ALTER TABLE releases ADD FOREIGN KEY (container_type) REFERENCES shareable_types (type);
      -- A container is released on its own; a contained object rides on its container's release to the same
      -- recipient, and ends with it.
      ALTER TABLE releases ADD CONSTRAINT releases_rides_on_container
        CHECK ((object_id = container_id) = (object_type = container_type) AND (object_id = container_id) = (parent_release_id IS NULL));

      ALTER TABLE access DROP CONSTRAINT access_object_type_check;
      ALTER TABLE access DROP CONSTRAINT access_incident_id_fkey;
      ALTER TABLE access RENAME COLUMN incident_id TO container_id;
      ALTER TABLE access ADD COLUMN container_type text NOT NULL DEFAULT 'incident';
      ALTER TABLE access ALTER COLUMN container_type DROP DEFAULT;
      ALTER TABLE access ADD FOREIGN KEY (object_type) REFERENCES shareable_types (type);
      ALTER TABLE access ADD FOREIGN KEY (container_type) REFERENCES shareable_types (type);
      -- A derived grant names what it was derived from, e.g. 'joint:<uuid>' for the participants of a joint incident.
      ALTER TABLE access ADD CONSTRAINT access_via_shape CHECK (via IS NULL OR via ~ '^[a-z_]+:[0-9a-f-]{36}$');
      GRANT SELECT (container_type) ON access TO hub_app;

      CREATE FUNCTION hub_after_grants_changed(p_objects uuid[]) RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$ SELECT $$;
      REVOKE ALL ON FUNCTION hub_after_grants_changed(uuid[]) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION hub_after_grants_changed(uuid[]) TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION hub_after_grants_changed(uuid[]);
      ALTER TABLE access DROP CONSTRAINT access_via_shape;
      ALTER TABLE access DROP CONSTRAINT access_object_type_fkey, DROP CONSTRAINT access_container_type_fkey, DROP COLUMN container_type;
      ALTER TABLE access RENAME COLUMN container_id TO incident_id;
      ALTER TABLE access ADD FOREIGN KEY (incident_id) REFERENCES incidents (id);
      ALTER TABLE access ADD CONSTRAINT access_object_type_check CHECK (object_type IN ('incident', 'observable'));
      ALTER TABLE releases DROP CONSTRAINT releases_rides_on_container;
      ALTER TABLE releases DROP CONSTRAINT releases_object_type_fkey, DROP CONSTRAINT releases_container_type_fkey, DROP COLUMN container_type;
      ALTER TABLE releases RENAME COLUMN container_id TO incident_id;
      ALTER TABLE releases ADD FOREIGN KEY (incident_id) REFERENCES incidents (id);
      ALTER TABLE releases ADD CONSTRAINT releases_object_type_check CHECK (object_type IN ('incident', 'observable'));
      ALTER TABLE releases ADD CONSTRAINT releases_check3 CHECK ((object_type = 'incident') = (object_id = incident_id));
      ALTER TABLE releases ADD CONSTRAINT releases_check4 CHECK ((object_type = 'observable') = (parent_release_id IS NOT NULL));
      DROP TABLE shareable_types;
    `);
  }
}
