import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, type FieldProblem, HubException, type PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import { jointObjectGrantees } from '../joint-workspace.js';
import { checkAudienceShape, resolveAudience } from '../objects/audience.js';
import { recordJointChange } from '../objects/joint-change.js';
import { type JointMembership, jointMembership, requireCoordinator } from '../objects/joint-membership.js';
import { JointObjectException } from '../objects/joint-object.exception.js';
import { ownReadCondition, sharedReadCondition, SqlParams } from '../objects/shared-read.js';
import type { ContributionAudience, PatchContributionDto, PublishJointReportDto, PutContributionDto, PutJointReportDto, QuotableField } from './dto/joint-review.dto.js';
import { JointReviewException } from './joint-review.exception.js';
import { type JointContributionRow, jointContributionView, type JointReportRow, jointReportView, quotableText } from './joint-review.view.js';

const OWN_COLUMNS = `jc.id, jc.org_id, o.name AS author_label, jc.joint_incident_id, jc.what_happened, jc.what_worked, jc.what_did_not,
  jc.recommendations, jc.near_miss_ids, jc.near_misses, jc.marking, jc.audience, jc.audience_users, jc.created_at, jc.updated_at, jc.version,
  jc.created_at::text AS sort_key, true AS own`;
const SHARED_COLUMNS = `jc.id, jc.org_id, jc.author_label, jc.joint_incident_id, jc.what_happened, jc.what_worked, jc.what_did_not,
  jc.recommendations, NULL::uuid[], jc.near_misses, jc.marking, jc.audience, NULL::uuid[], jc.created_at, jc.updated_at, jc.version,
  jc.created_at::text, false`;
const REPORT_COLUMNS = `jr.id, jr.org_id, jr.joint_incident_id, jr.summary, jr.findings, jr.recommendations, jr.quotes, jr.marking, jr.published_at,
  jr.created_at, jr.updated_at, jr.version`;
/** At most one contribution per organisation: a joint incident's whole review fits one read. */
const ALL_CONTRIBUTIONS = 1000;

interface ContributionInput {
  whatHappened: string;
  whatWorked: string;
  whatDidNot: string;
  recommendations: string;
  nearMissIds: string[];
  marking: PutContributionDto['marking'];
  audience: ContributionAudience;
  audienceUsers?: string[];
}

/**
 * The joint lessons-learned review (issue 11 section 2): each organisation's contribution, under its own marking and
 * audience, and the coordinator's joint report quoting them. Contributions are written in phase learn_lessons
 * only; the report is compiled then and published to the accepted participants, which closing requires. Every
 * read of another organisation's contribution (a quote included) goes through `shared_joint_contributions` under
 * the policy, so a quote shows only to a reader that may read the contribution itself.
 */
@Injectable()
export class JointReviewService {
  constructor(private readonly db: TenantDatabase) {}

  /** Contributes, or replaces the caller organisation's contribution (with the version it read). */
  put(principal: OrgPrincipal, jointId: string, dto: PutContributionDto) {
    return this.save(principal, jointId, dto.version ?? null, () => ({
      whatHappened: dto.whatHappened ?? '',
      whatWorked: dto.whatWorked ?? '',
      whatDidNot: dto.whatDidNot ?? '',
      recommendations: dto.recommendations ?? '',
      nearMissIds: dto.nearMissIds ?? [],
      marking: dto.marking,
      audience: dto.audience,
      audienceUsers: dto.audienceUsers,
    }));
  }

  /** Changes some fields of the caller's contribution; its audience and marking too (the grants follow at once). */
  patch(principal: OrgPrincipal, jointId: string, dto: PatchContributionDto) {
    return this.save(principal, jointId, dto.version, (current) => {
      if (!current) throw HubException.notFound('contribution');
      const marking = dto.marking ?? (current.marking as ContributionInput['marking']);
      return {
        whatHappened: dto.whatHappened ?? current.what_happened,
        whatWorked: dto.whatWorked ?? current.what_worked,
        whatDidNot: dto.whatDidNot ?? current.what_did_not,
        recommendations: dto.recommendations ?? current.recommendations,
        nearMissIds: dto.nearMissIds ?? current.near_miss_ids ?? [],
        marking,
        audience: dto.audience ?? (current.audience as ContributionAudience),
        // Named users go with RED: kept while it stays RED, dropped when it leaves RED.
        audienceUsers: dto.audienceUsers ?? (marking === 'RED' && current.audience_users?.length ? current.audience_users : undefined),
      };
    });
  }

  private async save(principal: OrgPrincipal, jointId: string, version: number | null, inputOf: (current: JointContributionRow | undefined) => ContributionInput) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      if (membership.as === 'coordinator') requireCoordinator(principal, membership, 'contribute for the coordination team');
      await requireReview(tx, membership);
      const [current] = await tx.query<JointContributionRow>(
        `SELECT ${OWN_COLUMNS} FROM joint_contributions jc JOIN organisations o ON o.id = jc.org_id
          WHERE jc.joint_incident_id = $1 AND jc.org_id = $2 FOR UPDATE OF jc`,
        [jointId, principal.orgId],
      );
      if (current && version === null) throw JointReviewException.alreadyContributed();
      if (!current && version !== null) throw HubException.notFound('contribution');
      if (current && current.version !== version) throw JointReviewException.stale('contribution', current.version);
      const input = inputOf(current);
      if (current) await requireQuotedUnchanged(tx, current, input);
      checkAudienceShape(input);
      const audience = await resolveAudience(tx, membership, principal.orgId, input);
      const nearMisses = await ownNearMisses(tx, principal.orgId, input.nearMissIds);
      const values = [input.whatHappened, input.whatWorked, input.whatDidNot, input.recommendations, input.nearMissIds, JSON.stringify(nearMisses),
        input.marking, input.audience, audience.users, principal.id];
      let id: string;
      let granteesBefore: string[] = [];
      if (current) {
        granteesBefore = await jointObjectGrantees(tx, jointId, current.id);
        await tx.query(
          `UPDATE joint_contributions SET what_happened = $2, what_worked = $3, what_did_not = $4, recommendations = $5, near_miss_ids = $6,
                  near_misses = $7, marking = $8, audience = $9, audience_users = $10, updated_by = $11, version = version + 1, updated_at = now()
            WHERE id = $1`,
          [current.id, ...values],
        );
        id = current.id;
      } else {
        const [inserted] = await tx.query<{ id: string }>(
          `INSERT INTO joint_contributions (joint_incident_id, org_id, what_happened, what_worked, what_did_not, recommendations, near_miss_ids,
                                            near_misses, marking, audience, audience_users, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (joint_incident_id, org_id) DO NOTHING RETURNING id`,
          [jointId, principal.orgId, ...values],
        );
        // A concurrent first contribution of the same organisation committed in between: this one did not replace it.
        if (!inserted) throw JointReviewException.alreadyContributed();
        id = inserted.id;
      }
      const details: Record<string, unknown> = { contributionId: id, marking: input.marking, audience: input.audience, nearMisses: nearMisses.length };
      if (audience.users.length) details.audienceUsers = audience.users.length;
      if (current && current.marking !== input.marking) details.markingFrom = current.marking;
      if (current && current.audience !== input.audience) details.audienceFrom = current.audience;
      await recordJointChange(tx, principal, jointId, {
        action: current ? 'joint_contribution.updated' : 'joint_contribution.submitted',
        details,
        event: { type: current ? 'joint_contribution.updated' : 'joint_contribution.created', aggregateType: 'joint_contribution', aggregateId: id },
        granteesBefore,
      });
      const [row] = await readContributions(tx, principal, jointId, { id });
      return jointContributionView(row);
    });
  }

  async list(principal: OrgPrincipal, jointId: string, query: PageQueryDto) {
    const after = decodeTimeCursor(query.cursor);
    const rows = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      return readContributions(tx, principal, jointId, { after, limit: query.limit + 1 });
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map(jointContributionView);
  }

  async get(principal: OrgPrincipal, jointId: string, contributionId: string) {
    const [row] = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      return readContributions(tx, principal, jointId, { id: contributionId });
    });
    if (!row) throw HubException.notFound('contribution');
    return jointContributionView(row);
  }

  /** Compiles the joint report, or replaces its draft (coordination team, in learn_lessons, until it is published). */
  async putReport(principal: OrgPrincipal, jointId: string, dto: PutJointReportDto) {
    const quotes = (dto.quotes ?? []).map((q) => ({ contributionId: q.contributionId, field: q.field, ...(q.start !== undefined ? { start: q.start } : {}), ...(q.end !== undefined ? { end: q.end } : {}) }));
    // The quotes name contributions the compiler may read itself, fields of them and ranges inside those fields.
    const readable = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      requireCoordinator(principal, membership, 'compile the joint report');
      return readableContributions(tx, principal, jointId);
    });
    const problems: FieldProblem[] = [];
    quotes.forEach((q, i) => {
      const contribution = readable.get(q.contributionId);
      if (!contribution) {
        problems.push({ field: `quotes[${i}].contributionId`, rule: 'readableContribution', message: `${q.contributionId} is not a contribution of this joint incident you may read` });
        return;
      }
      if ((q.start === undefined) !== (q.end === undefined)) {
        problems.push({ field: `quotes[${i}].${q.start === undefined ? 'start' : 'end'}`, rule: 'rangeBothEnds', message: 'a range has both start and end' });
      } else if (q.start !== undefined && q.end !== undefined && (q.start >= q.end || q.end > quotableText(contribution, q.field).length)) {
        problems.push({ field: `quotes[${i}].end`, rule: 'rangeInField', message: `the range must be non-empty and inside ${q.field} (${quotableText(contribution, q.field).length} characters)` });
      }
    });
    if (problems.length) throw JointReviewException.quoteNotReadable(problems);

    return this.db.run(tenantContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      requireCoordinator(principal, membership, 'compile the joint report');
      await requireReview(tx, membership);
      const [current] = await tx.query<JointReportRow>(`SELECT ${REPORT_COLUMNS} FROM joint_reports jr WHERE jr.joint_incident_id = $1 FOR UPDATE`, [jointId]);
      if (current?.published_at) throw JointReviewException.published();
      if (current && dto.version === undefined) throw JointReviewException.reportExists();
      if (!current && dto.version !== undefined) throw HubException.notFound('joint report');
      if (current && current.version !== dto.version) throw JointReviewException.stale('joint report', current.version);
      const values = [dto.summary ?? '', dto.findings ?? '', dto.recommendations ?? '', JSON.stringify(quotes), dto.marking];
      let id: string;
      if (current) {
        await tx.query(
          `UPDATE joint_reports SET summary = $2, findings = $3, recommendations = $4, quotes = $5, marking = $6, version = version + 1, updated_at = now()
            WHERE id = $1`,
          [current.id, ...values],
        );
        id = current.id;
      } else {
        const [inserted] = await tx.query<{ id: string }>(
          `INSERT INTO joint_reports (org_id, joint_incident_id, summary, findings, recommendations, quotes, marking, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (joint_incident_id) DO NOTHING RETURNING id`,
          [principal.orgId, jointId, ...values, principal.id],
        );
        // A concurrent first compilation committed in between: this one did not replace it.
        if (!inserted) throw JointReviewException.reportExists();
        id = inserted.id;
      }
      await recordJointChange(tx, principal, jointId, {
        action: current ? 'joint_report.revised' : 'joint_report.compiled',
        details: { reportId: id, marking: dto.marking, quotes: quotes.length },
        event: { type: current ? 'joint_report.updated' : 'joint_report.created', aggregateType: 'joint_report', aggregateId: id },
      });
    }).then(() => this.report(principal, jointId));
  }

  /** Publishes the draft to the accepted participants (RED: their points-of-contact users); final from then on. */
  async publish(principal: OrgPrincipal, jointId: string, dto: PublishJointReportDto) {
    await this.db.run(tenantContextOf(principal), async (tx) => {
      const membership = await jointMembership(tx, principal, jointId);
      requireCoordinator(principal, membership, 'publish the joint report');
      await requireReview(tx, membership);
      const [current] = await tx.query<JointReportRow>(`SELECT ${REPORT_COLUMNS} FROM joint_reports jr WHERE jr.joint_incident_id = $1 FOR UPDATE`, [jointId]);
      if (!current) throw HubException.notFound('joint report');
      if (current.published_at) throw JointReviewException.published();
      if (current.version !== dto.version) throw JointReviewException.stale('joint report', current.version);
      await tx.query('UPDATE joint_reports SET published_at = now(), published_by = $2, version = version + 1, updated_at = now() WHERE id = $1', [current.id, principal.id]);
      await recordJointChange(tx, principal, jointId, {
        action: 'joint_report.published',
        details: { reportId: current.id, marking: current.marking, quotes: current.quotes.length },
        event: { type: 'joint_report.published', aggregateType: 'joint_report', aggregateId: current.id },
      });
    });
    return this.report(principal, jointId);
  }

  /** The joint report as the caller may read it: the coordinator's draft or published report, a participant's published one. */
  async report(principal: OrgPrincipal, jointId: string) {
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      await jointMembership(tx, principal, jointId);
      const statement = jointReportSql(principal, jointId);
      const [row] = await tx.query<JointReportRow>(statement.sql, statement.values);
      if (!row) throw HubException.notFound('joint report');
      return jointReportView(row, await readableContributions(tx, principal, jointId));
    });
  }
}

/**
 * Contributions and the report are written in learn_lessons only; a closed joint incident's review is final. The
 * phase is read with a share lock on the joint incident held to the end of the transaction, so a concurrent phase
 * change (a close) waits for this write; the write checks of row-level security take the same lock.
 */
async function requireReview(tx: TenantTransaction, membership: JointMembership): Promise<void> {
  const [{ phase }] = await tx.query<{ phase: string | null }>('SELECT hub_joint_review_phase($1) AS phase', [membership.jointId]);
  if (phase === 'closed') throw JointObjectException.closed();
  if (phase !== 'learn_lessons') throw JointReviewException.notInReview(phase ?? 'unknown');
}

/**
 * Once the joint report is published, the fields of a contribution it quotes are final: a change to one is refused
 * (409). Reading them share-locks the report row, so a concurrent publication waits for this write.
 */
async function requireQuotedUnchanged(tx: TenantTransaction, current: JointContributionRow, input: ContributionInput): Promise<void> {
  const [{ fields }] = await tx.query<{ fields: QuotableField[] }>('SELECT hub_joint_quoted_fields($1) AS fields', [current.id]);
  const changed = fields.filter((field) => input[field] !== quotableText(current, field)).sort();
  if (changed.length) throw JointReviewException.quoted(changed);
}

/** The caller's own near misses among these ids (its register only: row-level security), with their dates; else 422. */
async function ownNearMisses(tx: TenantTransaction, orgId: string, ids: string[]) {
  if (!ids.length) return [];
  const rows = await tx.query<{ id: string; reported_at: Date; triaged_at: Date | null }>(
    `SELECT id, reported_at, triaged_at FROM event_reports WHERE id = ANY ($1::uuid[]) AND org_id = $2 AND status = 'near_miss'`,
    [ids, orgId],
  );
  const found = new Map(rows.map((r) => [r.id, r]));
  const problems = ids.flatMap((id, index) =>
    found.has(id) ? [] : [{ field: `nearMissIds[${index}]`, rule: 'ownNearMiss', message: `${id} is not an event report your organisation triaged as a near miss` }],
  );
  if (problems.length) throw JointReviewException.notNearMiss(problems);
  return ids.map((id) => ({ receivedAt: found.get(id)!.reported_at.toISOString(), decidedAt: found.get(id)!.triaged_at?.toISOString() ?? null }));
}

/** Every contribution of the joint incident the caller may read, by id. */
async function readableContributions(tx: TenantTransaction, principal: OrgPrincipal, jointId: string): Promise<Map<string, JointContributionRow>> {
  const rows = await readContributions(tx, principal, jointId, { limit: ALL_CONTRIBUTIONS });
  return new Map(rows.map((r) => [r.id, r]));
}

function readContributions(
  tx: TenantTransaction,
  principal: OrgPrincipal,
  jointId: string,
  pick: { id?: string; after?: { key: string; id: string } | null; limit?: number },
): Promise<JointContributionRow[]> {
  const statement = jointContributionsSql(principal, jointId, pick);
  return tx.query<JointContributionRow>(statement.sql, statement.values);
}

/** The statement that decides which contributions a caller reads (snapshot-tested): its own, and others' through the policy. */
export function jointContributionsSql(principal: OrgPrincipal, jointId: string, pick: { id?: string; after?: { key: string; id: string } | null; limit?: number }) {
  const params = new SqlParams();
  const joint = params.add(jointId, 'uuid');
  const own = ownReadCondition(principal, 'joint_contribution', params);
  const shared = sharedReadCondition(principal, 'joint_contribution', params);
  const where: string[] = [];
  if (pick.id) where.push(`x.id = ${params.add(pick.id, 'uuid')}`);
  if (pick.after) where.push(`(x.created_at, x.id) < (${params.add(pick.after.key, 'timestamptz')}, ${params.add(pick.after.id, 'uuid')})`);
  const sql = `SELECT * FROM (
      SELECT ${OWN_COLUMNS} FROM joint_contributions jc JOIN organisations o ON o.id = jc.org_id WHERE jc.joint_incident_id = ${joint} AND ${own}
      UNION ALL
      SELECT ${SHARED_COLUMNS} FROM shared_joint_contributions jc WHERE jc.joint_incident_id = ${joint} AND ${shared}
    ) x ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY x.created_at DESC, x.id DESC LIMIT ${params.add(pick.limit ?? 1, 'int')}`;
  return { sql, values: params.values };
}

/** The statement that finds the joint report a caller reads: the coordinator's own row, or the published one through the policy. */
export function jointReportSql(principal: OrgPrincipal, jointId: string) {
  const params = new SqlParams();
  const joint = params.add(jointId, 'uuid');
  const own = ownReadCondition(principal, 'joint_report', params);
  const shared = sharedReadCondition(principal, 'joint_report', params);
  const sql = `SELECT ${REPORT_COLUMNS} FROM joint_reports jr WHERE jr.joint_incident_id = ${joint} AND ${own}
    UNION ALL
    SELECT ${REPORT_COLUMNS} FROM shared_joint_reports jr WHERE jr.joint_incident_id = ${joint} AND ${shared}
    LIMIT 1`;
  return { sql, values: params.values };
}
