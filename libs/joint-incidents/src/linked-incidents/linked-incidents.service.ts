import { Injectable } from '@nestjs/common';
import { HubException } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import { keysOf } from '#sharing';
import { onwardGrantees, recordJointChange } from '../objects/joint-change.js';
import { jointMembership, requireCoordinator, requireOpen } from '../objects/joint-membership.js';
import { JointObjectException } from '../objects/joint-object.exception.js';
import type { LinkIncidentDto } from './dto/linked-incident.dto.js';
import { readSharedIncidents } from './shared-incident.projection.js';

/** The markings the coordinator may pass on into a joint incident (DESIGN section 4): never AMBER+STRICT or RED. */
export const PASSABLE_MARKINGS: readonly string[] = ['AMBER', 'GREEN', 'CLEAR'];

interface LinkRow {
  id: string;
  incident_id: string;
  incident_org_id: string;
  passed_on: boolean;
  linked_by: string | null;
  linked_at: Date;
}

const LINK_COLUMNS = 'id, incident_id, incident_org_id, passed_on, linked_by, linked_at';

/**
 * Member incidents linked into a joint incident, and the onward AMBER pass. The coordination team links an
 * incident released to it; with `passOn` the accepted participants read it "via" the joint incident: the
 * database derives those grants (`hub_sync_joint_access`) from the owner's live release to the coordinator,
 * and ends them the moment that release, the marking, the participation or the link no longer allows it.
 */
@Injectable()
export class LinkedIncidentsService {
  constructor(private readonly db: TenantDatabase) {}

  async link(principal: OrgPrincipal, jointId: string, dto: LinkIncidentDto) {
    const passOn = dto.passOn ?? false;
    // Shared-read: the incident is another organisation's, met through shared_incidents.
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      requireCoordinator(principal, membership, 'link incidents');
      await requireOpen(tx, membership);
      const [incident] = await tx.query<{ id: string; org_id: string; marking: string; released_to_us: boolean }>(
        `SELECT i.id, i.org_id, i.marking,
                EXISTS (SELECT 1 FROM access a WHERE a.object_id = i.id AND a.object_type = 'incident' AND a.grantee = $2
                           AND a.release_id IS NOT NULL) AS released_to_us
           FROM shared_incidents i WHERE i.id = $1`,
        [dto.incidentId, `org:${principal.orgId}`],
      );
      if (!incident) throw JointObjectException.notReleasedToCoordinator();
      if (passOn) {
        if (!PASSABLE_MARKINGS.includes(incident.marking)) throw JointObjectException.passNotAllowed(incident.marking);
        if (!incident.released_to_us) throw JointObjectException.notReleasedToCoordinator();
      }
      const [current] = await tx.query<LinkRow>(
        `SELECT ${LINK_COLUMNS} FROM joint_linked_incidents WHERE joint_incident_id = $1 AND incident_id = $2 AND unlinked_at IS NULL FOR UPDATE`,
        [jointId, dto.incidentId],
      );
      if (current && current.passed_on === passOn) throw JointObjectException.alreadyLinked();
      const before = current ? await onwardGrantees(tx, jointId, incident.id) : [];
      // A concurrent link of the same incident loses on the live-link index and answers 409, not 500.
      const [row] = current
        ? await tx.query<LinkRow>(`UPDATE joint_linked_incidents SET passed_on = $2 WHERE id = $1 RETURNING ${LINK_COLUMNS}`, [current.id, passOn])
        : await tx.query<LinkRow>(
            `INSERT INTO joint_linked_incidents (org_id, joint_incident_id, incident_id, incident_org_id, passed_on, linked_by)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (joint_incident_id, incident_id) WHERE unlinked_at IS NULL DO NOTHING RETURNING ${LINK_COLUMNS}`,
            [principal.orgId, jointId, incident.id, incident.org_id, passOn, principal.id],
          );
      if (!row) throw JointObjectException.alreadyLinked();
      await recordJointChange(tx, principal, jointId, {
        action: current ? (passOn ? 'linked_incident.passed_on' : 'linked_incident.pass_ended') : 'linked_incident.added',
        reason: dto.reason,
        details: { incidentId: incident.id, passedOn: passOn },
        event: { type: 'joint_linked_incident.changed', aggregateType: 'incident', aggregateId: incident.id },
        granteesBefore: before,
      });
      const views = await readSharedIncidents(tx, principal, [incident.id]);
      return linkView(row, views.get(incident.id) ?? null);
    });
  }

  async unlink(principal: OrgPrincipal, jointId: string, incidentId: string, reason: string | undefined) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      requireCoordinator(principal, membership, 'unlink incidents');
      const before = await onwardGrantees(tx, jointId, incidentId);
      const [row] = await tx.query<LinkRow>(
        `UPDATE joint_linked_incidents SET unlinked_at = now() WHERE joint_incident_id = $1 AND incident_id = $2 AND unlinked_at IS NULL
         RETURNING ${LINK_COLUMNS}`,
        [jointId, incidentId],
      );
      if (!row) throw HubException.notFound('linked incident');
      await recordJointChange(tx, principal, jointId, {
        action: 'linked_incident.removed',
        reason,
        details: { incidentId, passedOn: row.passed_on },
        event: { type: 'joint_linked_incident.removed', aggregateType: 'incident', aggregateId: incidentId },
        granteesBefore: before,
      });
      return linkView(row, null);
    });
  }

  /**
   * The coordination team: every live link, each incident as it reads it (null once it no longer may). An
   * accepted participant: the incidents passed on to it through this joint incident that it reads.
   */
  async list(principal: OrgPrincipal, jointId: string) {
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      if (membership.as === 'coordinator') {
        const links = await tx.query<LinkRow>(
          `SELECT ${LINK_COLUMNS} FROM joint_linked_incidents WHERE joint_incident_id = $1 AND unlinked_at IS NULL ORDER BY linked_at, id LIMIT 1000`,
          [jointId],
        );
        const views = await readSharedIncidents(tx, principal, links.map((l) => l.incident_id));
        return { items: links.map((l) => linkView(l, views.get(l.incident_id) ?? null)) };
      }
      const passed = await passedTo(tx, principal, jointId);
      const views = await readSharedIncidents(tx, principal, passed);
      const items = [];
      for (const id of passed) {
        const view = views.get(id);
        if (!view) continue;
        items.push({ incidentId: id, passedOn: true, incident: await maskPseudonymousOwner(tx, jointId, id, view) });
      }
      return { items };
    });
  }
}

/** The incidents an onward grant of this joint incident names for one of the caller's keys. */
async function passedTo(tx: TenantTransaction, principal: OrgPrincipal, jointId: string): Promise<string[]> {
  const statement = passedIncidentsSql(principal, jointId);
  const rows = await tx.query<{ object_id: string }>(statement.sql, statement.values);
  return rows.map((r) => r.object_id);
}

/** The statement that decides which passed incidents a participant lists (snapshot-tested). */
export function passedIncidentsSql(principal: OrgPrincipal, jointId: string) {
  return {
    sql: `SELECT DISTINCT object_id FROM access WHERE via = $1 AND object_type = 'incident' AND grantee = ANY ($2::text[]) ORDER BY object_id LIMIT 1000`,
    values: [`joint:${jointId}`, keysOf(principal)],
  };
}

/**
 * The owner of a passed incident may itself take part under a pseudonym: then the other participants see its
 * participant id and pseudonym in place of its organisation (`hub_joint_owner_alias`).
 */
async function maskPseudonymousOwner(tx: TenantTransaction, jointId: string, incidentId: string, view: Record<string, unknown>) {
  const [alias] = await tx.query<{ participant_id: string; pseudonym: string }>('SELECT participant_id, pseudonym FROM hub_joint_owner_alias($1, $2)', [
    jointId,
    incidentId,
  ]);
  if (!alias) return view;
  return { ...view, orgId: alias.participant_id, ownerLabel: alias.pseudonym };
}

function linkView(row: LinkRow, incident: Record<string, unknown> | null) {
  return {
    incidentId: row.incident_id,
    passedOn: row.passed_on,
    linkedAt: row.linked_at.toISOString(),
    linkedBy: row.linked_by,
    incident,
  };
}
