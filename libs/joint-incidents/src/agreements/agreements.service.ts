import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, type FieldProblem, HubErrorCode, HubException, type Page, type PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, tenantContextOf } from '#auth';
import { emitOutbox, TenantDatabase, type TenantTransaction } from '#database';
import type { AcceptAgreementDto, AgreementTermsDto, CreateAgreementDto, PublishVersionDto } from './dto/agreement.dto.js';
import { AgreementException } from './agreement.exception.js';
import { letPartiesLog, logAgreement, stopPartiesLogging } from './agreement-log.js';
import {
  acceptanceView,
  type AcceptanceRow,
  AGREEMENT_COLUMNS,
  agreementItemView,
  type AgreementRow,
  agreementView,
  type AgreementVersionRow,
  VERSION_COLUMNS,
} from './agreement.view.js';
import { contactProblems, DEFAULT_REQUIRED_CONTACTS, dutyKey, type RequiredContact } from './required-contacts.js';

const ACCEPTANCE_COLUMNS = `acc.id, acc.agreement_id, acc.version, acc.org_id, acc.coordinator_org_id, acc.accepted_by, acc.accepted_at,
  acc.points_of_contact, a.current_version`;

/**
 * Coordination agreements (ISO/IEC 27035-4 plan and prepare): a coordinator publishes versioned terms to party
 * organisations, and each party's admin accepts the current version. Who reads what is row-level security's
 * call (the coordinator its agreements, a party the versions that name it); this code adds the rules.
 */
@Injectable()
export class AgreementsService {
  constructor(private readonly db: TenantDatabase) {}

  async create(principal: OrgPrincipal, dto: CreateAgreementDto) {
    if (principal.orgKind !== 'coordinator') throw notACoordinator();
    const required = checkTerms(dto);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await checkParties(tx, principal.orgId, dto.parties);
      const [agreement] = await tx.query<AgreementRow>(
        `INSERT INTO agreements (org_id, title, created_by) VALUES ($1, $2, $3) RETURNING ${AGREEMENT_COLUMNS}`,
        [principal.orgId, dto.title, principal.id],
      );
      const version = await insertVersion(tx, principal, agreement.id, 1, dto, required);
      // The first append opens the coordinator's chain; then the parties may append their acceptances to it.
      // Entries name the version only: its terms are in agreement_versions, which a party reads only where named.
      await logAgreement(tx, principal, agreement.id, { action: 'agreement.published', details: { version: 1 } });
      await letPartiesLog(tx, agreement.id, dto.parties);
      await emitOutbox(tx, { type: 'agreement.published', aggregateType: 'agreement', aggregateId: agreement.id, payload: { version: 1 } });
      return agreementView(agreement, principal.orgId, [version], []);
    });
  }

  /** A new version of the terms; acceptances of earlier versions no longer count. */
  async publishVersion(principal: OrgPrincipal, id: string, dto: PublishVersionDto) {
    const required = checkTerms(dto);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const [current] = await tx.query<AgreementRow>(`SELECT ${AGREEMENT_COLUMNS} FROM agreements WHERE id = $1 AND org_id = $2 FOR UPDATE`, [
        id,
        principal.orgId,
      ]);
      if (!current) throw HubException.notFound('agreement');
      if (dto.supersedes !== current.current_version) throw AgreementException.versionNotCurrent('supersedes', dto.supersedes, current.current_version);
      await checkParties(tx, principal.orgId, dto.parties);
      const [previous] = await tx.query<{ parties: string[] }>('SELECT parties FROM agreement_versions WHERE agreement_id = $1 AND version = $2', [
        id,
        current.current_version,
      ]);
      const next = current.current_version + 1;
      await insertVersion(tx, principal, id, next, dto, required);
      await tx.query('UPDATE agreements SET current_version = $2, updated_at = now() WHERE id = $1', [id, next]);
      await logAgreement(tx, principal, id, { action: 'agreement.version_published', details: { version: next, supersedes: current.current_version } });
      await letPartiesLog(tx, id, dto.parties);
      await stopPartiesLogging(tx, id, previous.parties.filter((party) => !dto.parties.includes(party)));
      await emitOutbox(tx, { type: 'agreement.version_published', aggregateType: 'agreement', aggregateId: id, payload: { version: next } });
      return this.detail(tx, principal, id);
    });
  }

  /**
   * The caller's agreements, newest first: for a coordinator those it published; for any organisation those
   * naming it in some version (row-level security decides both, the query only orders and pages).
   */
  async list(principal: OrgPrincipal, query: PageQueryDto): Promise<Page<ReturnType<typeof agreementItemView>>> {
    const after = decodeTimeCursor(query.cursor);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const params: unknown[] = [principal.orgId, query.limit + 1];
      const page = after ? `AND (a.created_at, a.id) < ($3::timestamptz, $4::uuid)` : '';
      if (after) params.push(after.key, after.id);
      const rows = await tx.query<AgreementRow>(
        `SELECT ${AGREEMENT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')}, a.created_at::text AS sort_key FROM agreements a
          WHERE (a.org_id = $1 OR EXISTS (SELECT 1 FROM agreement_versions v WHERE v.agreement_id = a.id AND v.parties @> ARRAY[$1::uuid])) ${page}
          ORDER BY a.created_at DESC, a.id DESC LIMIT $2`,
        params,
      );
      const ids = rows.map((r) => r.id);
      const latest = new Map((await latestVersions(tx, principal.orgId, ids)).map((v) => [v.agreement_id, v]));
      const accepted = await acceptedCurrent(tx, ids);
      return toPage(rows, query.limit, (row) => row.sort_key as string).map((row) =>
        agreementItemView(row, principal.orgId, latest.get(row.id) as AgreementVersionRow, accepted.get(row.id) ?? []),
      );
    });
  }

  get(principal: OrgPrincipal, id: string) {
    return this.db.run(tenantContextOf(principal), (tx) => this.detail(tx, principal, id));
  }

  /** The party's admin accepts the CURRENT version, naming its points of contact as the version asks. */
  async accept(principal: OrgPrincipal, id: string, dto: AcceptAgreementDto) {
    const seen = new Set<string>();
    dto.pointsOfContact.forEach((c, i) => {
      const key = `${dutyKey(c.duty)}\u0000${c.pointOfContactId}`;
      if (seen.has(key)) throw HubException.invalid(`pointsOfContact[${i}]`, 'unique', `pointsOfContact[${i}] names the same contact for the same duty twice`);
      seen.add(key);
    });
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const agreement = await findAgreement(tx, id);
      const [current] = await tx.query<AgreementVersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM agreement_versions WHERE agreement_id = $1 AND version = $2 AND $3 = ANY (parties)`,
        [id, agreement.current_version, principal.orgId],
      );
      if (!current) throw AgreementException.notAParty(agreement.current_version);
      if (dto.version !== current.version) throw AgreementException.versionNotCurrent('version', dto.version, current.version);
      if (current.valid_until && current.valid_until <= new Date()) throw AgreementException.expired(current.version, current.valid_until.toISOString());
      const own = await tx.query<{ id: string }>('SELECT id FROM points_of_contact WHERE org_id = $1 AND id = ANY ($2::uuid[])', [
        principal.orgId,
        dto.pointsOfContact.map((c) => c.pointOfContactId),
      ]);
      const problems = contactProblems(current.required_contacts, dto.pointsOfContact, new Set(own.map((r) => r.id)));
      if (problems.length) throw AgreementException.contacts(problems);
      const named = dto.pointsOfContact.map((c) => ({ duty: c.duty, pointOfContactId: c.pointOfContactId }));
      const [row] = await tx.query<AcceptanceRow>(
        `WITH inserted AS (
           INSERT INTO agreement_acceptances (agreement_id, version, org_id, coordinator_org_id, accepted_by, points_of_contact)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (agreement_id, version, org_id) DO NOTHING RETURNING *)
         SELECT ${ACCEPTANCE_COLUMNS} FROM inserted acc JOIN agreements a ON a.id = acc.agreement_id`,
        [id, current.version, principal.orgId, agreement.org_id, principal.id, JSON.stringify(named)],
      );
      if (!row) throw AgreementException.alreadyAccepted(current.version);
      // In the coordinator's chain, as a log writer: the entry carries the party as its actor's organisation. An
      // entry without one means the party owns the chain, i.e. it just opened it: an agreement published before
      // agreements were logged has no chain until the coordinator's next version; refuse, and roll it back.
      // The database refuses to open the chain for anyone but the coordinator (hub_log_subject_owner): its "no log" is this.
      const logged = await logAgreement(tx, principal, id, { action: 'agreement.accepted', details: { version: current.version, pointsOfContact: named } }).catch(
        (error: unknown) => {
          throw error instanceof HubException && error.code === HubErrorCode.NotFound ? AgreementException.logNotOpen() : error;
        },
      );
      if (logged.actorOrgId === null) throw AgreementException.logNotOpen();
      await emitOutbox(tx, {
        type: 'agreement.accepted',
        aggregateType: 'agreement',
        aggregateId: id,
        payload: { version: current.version, coordinatorOrgId: agreement.org_id, acceptanceId: row.id },
      });
      return acceptanceView(row);
    });
  }

  /** The coordinator reads every acceptance of its agreement; a party its own (row-level security decides). */
  async listAcceptances(principal: OrgPrincipal, id: string, query: PageQueryDto): Promise<Page<ReturnType<typeof acceptanceView>>> {
    const after = decodeTimeCursor(query.cursor);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await findAgreement(tx, id);
      const params: unknown[] = [id, query.limit + 1];
      const page = after ? `AND (acc.accepted_at, acc.id) < ($3::timestamptz, $4::uuid)` : '';
      if (after) params.push(after.key, after.id);
      const rows = await tx.query<AcceptanceRow>(
        `SELECT ${ACCEPTANCE_COLUMNS}, acc.accepted_at::text AS sort_key
           FROM agreement_acceptances acc JOIN agreements a ON a.id = acc.agreement_id
          WHERE acc.agreement_id = $1 ${page} ORDER BY acc.accepted_at DESC, acc.id DESC LIMIT $2`,
        params,
      );
      return toPage(rows, query.limit, (row) => row.sort_key as string).map(acceptanceView);
    });
  }

  private async detail(tx: TenantTransaction, principal: OrgPrincipal, id: string) {
    const agreement = await findAgreement(tx, id);
    const versions = await tx.query<AgreementVersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM agreement_versions WHERE agreement_id = $1 AND (org_id = $2 OR $2 = ANY (parties)) ORDER BY version DESC`,
      [id, principal.orgId],
    );
    const accepted = await acceptedCurrent(tx, [id]);
    return agreementView(agreement, principal.orgId, versions, accepted.get(id) ?? []);
  }
}

/** Visible to the caller (its own, or naming it): row-level security decides; anything else is "not found". */
async function findAgreement(tx: TenantTransaction, id: string): Promise<AgreementRow> {
  const [row] = await tx.query<AgreementRow>(`SELECT ${AGREEMENT_COLUMNS} FROM agreements WHERE id = $1`, [id]);
  if (!row) throw HubException.notFound('agreement');
  return row;
}

/** Per agreement, the newest version the caller may read: the current one for the owner, the latest naming a party. */
async function latestVersions(tx: TenantTransaction, orgId: string, ids: string[]): Promise<AgreementVersionRow[]> {
  if (ids.length === 0) return [];
  return tx.query<AgreementVersionRow>(
    `SELECT DISTINCT ON (agreement_id) ${VERSION_COLUMNS} FROM agreement_versions
      WHERE agreement_id = ANY ($1::uuid[]) AND (org_id = $2 OR $2 = ANY (parties)) ORDER BY agreement_id, version DESC`,
    [ids, orgId],
  );
}

/** Per agreement, the organisations whose acceptance of the current version the caller may read. */
async function acceptedCurrent(tx: TenantTransaction, ids: string[]): Promise<Map<string, string[]>> {
  const accepted = new Map<string, string[]>();
  if (ids.length === 0) return accepted;
  const rows = await tx.query<{ agreement_id: string; org_id: string }>(
    `SELECT acc.agreement_id, acc.org_id FROM agreement_acceptances acc
       JOIN agreements a ON a.id = acc.agreement_id AND acc.version = a.current_version
      WHERE acc.agreement_id = ANY ($1::uuid[]) ORDER BY acc.accepted_at, acc.org_id`,
    [ids],
  );
  for (const row of rows) accepted.set(row.agreement_id, [...(accepted.get(row.agreement_id) ?? []), row.org_id]);
  return accepted;
}

async function insertVersion(tx: TenantTransaction, principal: OrgPrincipal, id: string, version: number, dto: AgreementTermsDto, required: RequiredContact[]) {
  const [row] = await tx.query<AgreementVersionRow>(
    `INSERT INTO agreement_versions (agreement_id, version, org_id, text, parties, default_marking, valid_from, valid_until, required_contacts, published_by)
     VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7, $8, $9, $10) RETURNING ${VERSION_COLUMNS}`,
    [id, version, principal.orgId, dto.text, dto.parties, dto.defaultMarking, dto.validFrom, dto.validUntil ?? null, JSON.stringify(required), principal.id],
  );
  return row;
}

/** The terms' own rules (400: the request contradicts itself; 422: it names a window already over). */
function checkTerms(dto: AgreementTermsDto): RequiredContact[] {
  if (dto.validUntil && Date.parse(dto.validUntil) <= Date.parse(dto.validFrom)) {
    throw HubException.invalid('validUntil', 'afterValidFrom', 'validUntil must be later than validFrom');
  }
  if (dto.validUntil && Date.parse(dto.validUntil) <= Date.now()) {
    throw AgreementException.publishedExpired();
  }
  const required = dto.requiredContacts ? dto.requiredContacts.map((r) => ({ duty: r.duty.trim(), minimum: r.minimum })) : [...DEFAULT_REQUIRED_CONTACTS];
  const duties = new Set<string>();
  required.forEach((r, i) => {
    if (r.duty.length === 0) throw HubException.invalid(`requiredContacts[${i}].duty`, 'notBlank', `requiredContacts[${i}].duty must not be blank`);
    if (duties.has(dutyKey(r.duty))) throw HubException.invalid(`requiredContacts[${i}].duty`, 'unique', `requiredContacts[${i}].duty names a duty twice`);
    duties.add(dutyKey(r.duty));
  });
  return required;
}

/** Every party an active organisation of the hub, and never the coordinator itself: 422 naming each one that is not. */
async function checkParties(tx: TenantTransaction, coordinatorOrgId: string, parties: string[]): Promise<void> {
  const found = await tx.query<{ id: string }>("SELECT id FROM organisations WHERE id = ANY ($1::uuid[]) AND status = 'active'", [parties]);
  const active = new Set(found.map((r) => r.id));
  const problems: FieldProblem[] = [];
  parties.forEach((party, i) => {
    if (party === coordinatorOrgId) {
      problems.push({ field: `parties[${i}]`, rule: 'notTheCoordinator', message: `parties[${i}] is your own organisation: the coordinator is not a party of its own agreement` });
    } else if (!active.has(party)) {
      problems.push({ field: `parties[${i}]`, rule: 'knownOrganisation', message: `parties[${i}] is not an active organisation of this hub` });
    }
  });
  if (problems.length) throw AgreementException.invalidParties(problems);
}

function notACoordinator() {
  return new HubException(HubErrorCode.Forbidden, 'only a coordinator organisation publishes coordination agreements');
}
