import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, HubException, type PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import { checkAudienceShape, resolveAudience } from '../objects/audience.js';
import { recordJointChange } from '../objects/joint-change.js';
import { jointMembership, requireCoordinator, requireOpen } from '../objects/joint-membership.js';
import { ownReadCondition, sharedReadCondition, SqlParams } from '../objects/shared-read.js';
import type { CreateJointUpdateDto } from './dto/joint-update.dto.js';
import { type JointUpdateRow, jointUpdateView } from './joint-update.view.js';

const OWN_COLUMNS = `ju.id, ju.org_id, o.name AS author_label, ju.joint_incident_id, ju.kind, ju.title, ju.body, ju.marking, ju.audience,
  ju.audience_participants, ju.audience_users, ju.created_at, ju.updated_at, ju.version, ju.created_at::text AS sort_key, true AS own`;
const SHARED_COLUMNS = `ju.id, ju.org_id, ju.author_label, ju.joint_incident_id, ju.kind, ju.title, ju.body, ju.marking, ju.audience,
  NULL::uuid[], NULL::uuid[], ju.created_at, ju.updated_at, ju.version, ju.created_at::text, false`;

/**
 * Updates and advisories of a joint incident (27035-4 coordination): advisories from the coordination team,
 * updates from it or any accepted participant, each with its own marking and audience. The author reads its own
 * rows from the table; everyone else only through `shared_joint_updates` under the policy, so what the derived
 * grants do not name (another audience, a RED update naming other users) answers as if it did not exist.
 */
@Injectable()
export class JointUpdatesService {
  constructor(private readonly db: TenantDatabase) {}

  async create(principal: OrgPrincipal, jointId: string, dto: CreateJointUpdateDto) {
    checkAudienceShape(dto);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      if (dto.kind === 'advisory' || membership.as === 'coordinator') {
        requireCoordinator(principal, membership, dto.kind === 'advisory' ? 'issue advisories' : 'post updates for the coordination team');
      }
      await requireOpen(tx, membership);
      const audience = await resolveAudience(tx, membership, principal.orgId, dto);
      const [inserted] = await tx.query<{ id: string }>(
        `INSERT INTO joint_updates (org_id, joint_incident_id, kind, title, body, marking, audience, audience_orgs, audience_participants,
                                    audience_users, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [principal.orgId, jointId, dto.kind, dto.title, dto.body, dto.marking, dto.audience, audience.orgIds, audience.participantIds, audience.users, principal.id],
      );
      await recordJointChange(tx, principal, jointId, {
        action: dto.kind === 'advisory' ? 'joint_advisory.issued' : 'joint_update.posted',
        details: {
          updateId: inserted.id,
          kind: dto.kind,
          marking: dto.marking,
          audience: dto.audience,
          ...(audience.participantIds.length ? { audienceParticipants: audience.participantIds } : {}),
          ...(audience.users.length ? { audienceUsers: audience.users.length } : {}),
        },
        event: { type: `joint_update.created`, aggregateType: 'joint_update', aggregateId: inserted.id },
      });
      const [row] = await readUpdates(tx, principal, jointId, { id: inserted.id });
      return jointUpdateView(row, true);
    });
  }

  async list(principal: OrgPrincipal, jointId: string, query: PageQueryDto) {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      return readUpdates(tx, principal, jointId, { after, limit: query.limit + 1 });
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map((row) => jointUpdateView(row, row.own));
  }

  async get(principal: OrgPrincipal, jointId: string, updateId: string) {
    const [row] = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      return readUpdates(tx, principal, jointId, { id: updateId });
    });
    if (!row) throw HubException.notFound('update');
    return jointUpdateView(row, row.own);
  }
}

/** The caller's own updates from the table and the others' through the shared view, newest first. */
function readUpdates(
  tx: TenantTransaction,
  principal: OrgPrincipal,
  jointId: string,
  pick: { id?: string; after?: { key: string; id: string } | null; limit?: number },
): Promise<JointUpdateRow[]> {
  const statement = jointUpdatesSql(principal, jointId, pick);
  return tx.query<JointUpdateRow>(statement.sql, statement.values);
}

/** The statement that decides which updates a caller reads (snapshot-tested). */
export function jointUpdatesSql(principal: OrgPrincipal, jointId: string, pick: { id?: string; after?: { key: string; id: string } | null; limit?: number }) {
  const params = new SqlParams();
  const joint = params.add(jointId, 'uuid');
  const own = ownReadCondition(principal, 'joint_update', params);
  const shared = sharedReadCondition(principal, 'joint_update', params);
  const where: string[] = [];
  if (pick.id) where.push(`x.id = ${params.add(pick.id, 'uuid')}`);
  if (pick.after) where.push(`(x.created_at, x.id) < (${params.add(pick.after.key, 'timestamptz')}, ${params.add(pick.after.id, 'uuid')})`);
  const sql = `SELECT * FROM (
      SELECT ${OWN_COLUMNS} FROM joint_updates ju JOIN organisations o ON o.id = ju.org_id WHERE ju.joint_incident_id = ${joint} AND ${own}
      UNION ALL
      SELECT ${SHARED_COLUMNS} FROM shared_joint_updates ju WHERE ju.joint_incident_id = ${joint} AND ${shared}
    ) x ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY x.created_at DESC, x.id DESC LIMIT ${params.add(pick.limit ?? 1, 'int')}`;
  return { sql, values: params.values };
}
