import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, type PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { TenantDatabase } from '#database';
import { recordJointChange } from '../objects/joint-change.js';
import { jointMembership, requireCoordinator, requireOpen } from '../objects/joint-membership.js';
import { ownReadCondition, sharedReadCondition, SqlParams } from '../objects/shared-read.js';
import type { CreateJointDecisionDto } from './dto/joint-decision.dto.js';
import { type JointDecisionRow, jointDecisionView } from './joint-decision.view.js';

const COLUMNS = 'id, org_id, joint_incident_id, decision, rationale, decided_by, decided_at, marking, created_at';

/**
 * Decisions of the assess-and-decide phase, recorded by the coordination team: what, why, by whom and when.
 * Participants read them through `shared_joint_decisions` under the policy (a RED decision reaches only the
 * named points of contact).
 */
@Injectable()
export class JointDecisionsService {
  constructor(private readonly db: TenantDatabase) {}

  async create(principal: OrgPrincipal, jointId: string, dto: CreateJointDecisionDto) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      requireCoordinator(principal, membership, 'record decisions');
      await requireOpen(tx, membership);
      const [row] = await tx.query<JointDecisionRow>(
        `INSERT INTO joint_decisions (org_id, joint_incident_id, decision, rationale, decided_by, decided_at, marking)
         VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), $7) RETURNING ${COLUMNS}, decided_at::text AS sort_key`,
        [principal.orgId, jointId, dto.decision, dto.rationale, principal.id, dto.decidedAt ?? null, dto.marking ?? membership.marking],
      );
      await recordJointChange(tx, principal, jointId, {
        action: 'joint_decision.recorded',
        details: { decisionId: row.id, marking: row.marking, decidedAt: row.decided_at.toISOString() },
        event: { type: 'joint_decision.created', aggregateType: 'joint_decision', aggregateId: row.id },
      });
      return jointDecisionView(row);
    });
  }

  async list(principal: OrgPrincipal, jointId: string, query: PageQueryDto) {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      const statement = jointDecisionsSql(principal, membership.as, jointId, after, query.limit + 1);
      return tx.query<JointDecisionRow>(statement.sql, statement.values);
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map(jointDecisionView);
  }
}

/** The statement that decides which decisions a caller reads: the coordinator its own, a participant through the policy. */
export function jointDecisionsSql(principal: OrgPrincipal, as: 'coordinator' | 'participant', jointId: string, after: { key: string; id: string } | null, limit: number) {
  const params = new SqlParams();
  // The coordination team owns every decision; a participant reads them only through the policy.
  const source =
    as === 'coordinator'
      ? `joint_decisions jd WHERE ${ownReadCondition(principal, 'joint_decision', params)}`
      : `shared_joint_decisions jd WHERE ${sharedReadCondition(principal, 'joint_decision', params)}`;
  const where = [`jd.joint_incident_id = ${params.add(jointId, 'uuid')}`];
  if (after) where.push(`(jd.decided_at, jd.id) < (${params.add(after.key, 'timestamptz')}, ${params.add(after.id, 'uuid')})`);
  const sql = `SELECT ${COLUMNS.split(', ').map((c) => `jd.${c}`).join(', ')}, jd.decided_at::text AS sort_key FROM ${source} AND ${where.join(' AND ')}
    ORDER BY jd.decided_at DESC, jd.id DESC LIMIT ${params.add(limit, 'int')}`;
  return { sql, values: params.values };
}
