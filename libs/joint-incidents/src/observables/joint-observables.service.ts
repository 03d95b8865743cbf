import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, HubException, type PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import { normaliseObservable } from '#incidents';
import { checkAudienceShape, resolveAudience } from '../objects/audience.js';
import { recordJointChange } from '../objects/joint-change.js';
import { jointMembership, requireCoordinator, requireOpen } from '../objects/joint-membership.js';
import { JointObjectException } from '../objects/joint-object.exception.js';
import { ownReadCondition, sharedReadCondition, SqlParams } from '../objects/shared-read.js';
import type { CreateJointObservableDto } from './dto/joint-observable.dto.js';
import { type JointObservableRow, jointObservableView } from './joint-observable.view.js';

const FIELDS = 'id, org_id, joint_incident_id, type, value, marking, pap, first_seen, last_seen, created_at, updated_at, version';
const OWN_COLUMNS = `${FIELDS.split(', ').map((c) => `jo.${c}`).join(', ')}, o.name AS author_label, jo.created_at::text AS sort_key, true AS own`;
const SHARED_COLUMNS = `${FIELDS.split(', ').map((c) => `jo.${c}`).join(', ')}, jo.author_label, jo.created_at::text, false`;

/**
 * Observables of a joint incident, added by the coordination team or an accepted participant, each with its own
 * marking and PAP, its value checked and normalised by the same rules as an incident's observables. The author
 * reads its own from the table; everyone else through `shared_joint_observables` under the policy.
 */
@Injectable()
export class JointObservablesService {
  constructor(private readonly db: TenantDatabase) {}

  async create(principal: OrgPrincipal, jointId: string, dto: CreateJointObservableDto) {
    const value = normaliseObservable(dto.type, dto.value);
    if (value === null) throw HubException.invalid('value', `valid${dto.type}`, `value is not a valid ${dto.type}`);
    if (dto.firstSeen && dto.lastSeen && Date.parse(dto.firstSeen) > Date.parse(dto.lastSeen)) {
      throw HubException.invalid('lastSeen', 'notBeforeFirstSeen', 'lastSeen must not be before firstSeen');
    }
    checkAudienceShape({ marking: dto.marking, audience: 'all', audienceUsers: dto.audienceUsers });
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      if (membership.as === 'coordinator') requireCoordinator(principal, membership, 'add observables for the coordination team');
      await requireOpen(tx, membership);
      const audience = await resolveAudience(tx, membership, principal.orgId, { marking: dto.marking, audience: 'all', audienceUsers: dto.audienceUsers });
      const [inserted] = await tx.query<{ id: string }>(
        `INSERT INTO joint_observables (org_id, joint_incident_id, type, value, marking, pap, first_seen, last_seen, audience_users, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
        [principal.orgId, jointId, dto.type, value, dto.marking, dto.pap ?? 'AMBER', dto.firstSeen ?? null, dto.lastSeen ?? null, audience.users, principal.id],
      );
      if (!inserted) throw JointObjectException.duplicateObservable(dto.type, value);
      await recordJointChange(tx, principal, jointId, {
        action: 'joint_observable.added',
        details: { observableId: inserted.id, type: dto.type, marking: dto.marking, pap: dto.pap ?? 'AMBER' },
        event: { type: 'joint_observable.created', aggregateType: 'joint_observable', aggregateId: inserted.id },
      });
      const [row] = await readObservables(tx, principal, jointId, { id: inserted.id });
      return jointObservableView(row);
    });
  }

  async list(principal: OrgPrincipal, jointId: string, query: PageQueryDto) {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      return readObservables(tx, principal, jointId, { after, limit: query.limit + 1 });
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map(jointObservableView);
  }
}

function readObservables(
  tx: TenantTransaction,
  principal: OrgPrincipal,
  jointId: string,
  pick: { id?: string; after?: { key: string; id: string } | null; limit?: number },
): Promise<JointObservableRow[]> {
  const statement = jointObservablesSql(principal, jointId, pick);
  return tx.query<JointObservableRow>(statement.sql, statement.values);
}

/** The statement that decides which joint observables a caller reads: its own, and others' through the policy. */
export function jointObservablesSql(principal: OrgPrincipal, jointId: string, pick: { id?: string; after?: { key: string; id: string } | null; limit?: number }) {
  const params = new SqlParams();
  const joint = params.add(jointId, 'uuid');
  const own = ownReadCondition(principal, 'joint_observable', params);
  const shared = sharedReadCondition(principal, 'joint_observable', params);
  const where: string[] = [];
  if (pick.id) where.push(`x.id = ${params.add(pick.id, 'uuid')}`);
  if (pick.after) where.push(`(x.created_at, x.id) < (${params.add(pick.after.key, 'timestamptz')}, ${params.add(pick.after.id, 'uuid')})`);
  const sql = `SELECT * FROM (
      SELECT ${OWN_COLUMNS} FROM joint_observables jo JOIN organisations o ON o.id = jo.org_id WHERE jo.joint_incident_id = ${joint} AND ${own}
      UNION ALL
      SELECT ${SHARED_COLUMNS} FROM shared_joint_observables jo WHERE jo.joint_incident_id = ${joint} AND ${shared}
    ) x ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY x.created_at DESC, x.id DESC LIMIT ${params.add(pick.limit ?? 1, 'int')}`;
  return { sql, values: params.values };
}
