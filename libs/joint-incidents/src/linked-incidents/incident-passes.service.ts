import { Injectable } from '@nestjs/common';
import { HubException } from '#common';
import { type OrgPrincipal, tenantContextOf } from '#auth';
import { TenantDatabase } from '#database';

interface PassRow {
  joint_incident_id: string;
  coordinator_org_id: string;
  coordinator_name: string;
  object_type: string;
  object_id: string;
  participant_id: string;
  pseudonym: string | null;
  participant_org_id: string | null;
  participant_name: string | null;
}

/**
 * The owner's side of the onward pass: where its incident (and its observables) was passed on, and who reads it
 * there. The owner does not read those derived grants from the access table (they would name a pseudonymous
 * participant's organisation); `hub_incident_passes` lists them with the pseudonym rule applied.
 */
@Injectable()
export class IncidentPassesService {
  constructor(private readonly db: TenantDatabase) {}

  async list(principal: OrgPrincipal, incidentId: string) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const [own] = await tx.query<{ id: string }>('SELECT id FROM incidents WHERE id = $1 AND org_id = $2', [incidentId, principal.orgId]);
      if (!own) throw HubException.notFound('incident');
      const rows = await tx.query<PassRow>('SELECT * FROM hub_incident_passes($1)', [incidentId]);
      return {
        items: rows.map((r) => ({
          jointIncidentId: r.joint_incident_id,
          coordinator: { id: r.coordinator_org_id, name: r.coordinator_name },
          objectType: r.object_type,
          objectId: r.object_id,
          participant: {
            id: r.participant_id,
            pseudonym: r.pseudonym,
            organisation: r.participant_org_id ? { id: r.participant_org_id, name: r.participant_name } : null,
          },
        })),
      };
    });
  }
}
