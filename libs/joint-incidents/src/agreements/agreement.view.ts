import type { TlpMarking } from '#sharing';
import type { NamedContact, RequiredContact } from './required-contacts.js';

export interface AgreementRow {
  id: string;
  org_id: string;
  title: string;
  current_version: number;
  created_at: Date;
  updated_at: Date;
  sort_key?: string;
}

export interface AgreementVersionRow {
  agreement_id: string;
  version: number;
  org_id: string;
  text: string;
  parties: string[];
  default_marking: TlpMarking;
  valid_from: Date;
  valid_until: Date | null;
  required_contacts: RequiredContact[];
  published_by: string;
  published_at: Date;
}

export interface AcceptanceRow {
  id: string;
  agreement_id: string;
  version: number;
  org_id: string;
  coordinator_org_id: string;
  accepted_by: string;
  accepted_at: Date;
  points_of_contact: NamedContact[];
  current_version: number;
  sort_key?: string;
}

export const AGREEMENT_COLUMNS = 'id, org_id, title, current_version, created_at, updated_at';
export const VERSION_COLUMNS =
  'agreement_id, version, org_id, text, parties, default_marking, valid_from, valid_until, required_contacts, published_by, published_at';

/** Valid at `now`: valid_from <= now < valid_until, or open-ended. */
export function validAt(row: AgreementVersionRow, now: Date): boolean {
  return row.valid_from <= now && (row.valid_until === null || now < row.valid_until);
}

export function versionView(row: AgreementVersionRow, now = new Date()) {
  return {
    version: row.version,
    text: row.text,
    parties: row.parties,
    defaultMarking: row.default_marking,
    validFrom: row.valid_from.toISOString(),
    validUntil: row.valid_until?.toISOString() ?? null,
    validNow: validAt(row, now),
    requiredContacts: row.required_contacts.map((r) => ({ duty: r.duty, minimum: r.minimum })),
    publishedBy: row.published_by,
    publishedAt: row.published_at.toISOString(),
  };
}

/**
 * An agreement as the caller sees it: the coordinator sees the current version and which parties accepted it;
 * a party sees the latest version that names it and whether it accepted the current version.
 */
export function agreementItemView(row: AgreementRow, callerOrgId: string, latest: AgreementVersionRow, acceptedBy: readonly string[]) {
  const own = row.org_id === callerOrgId;
  return {
    id: row.id,
    coordinatorOrgId: row.org_id,
    title: row.title,
    role: own ? ('coordinator' as const) : ('party' as const),
    currentVersion: row.current_version,
    version: versionView(latest),
    acceptedCurrentVersion: own ? null : acceptedBy.includes(callerOrgId),
    partiesAccepted: own ? [...acceptedBy] : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function agreementView(row: AgreementRow, callerOrgId: string, versions: AgreementVersionRow[], acceptedBy: readonly string[]) {
  return { ...agreementItemView(row, callerOrgId, versions[0], acceptedBy), versions: versions.map((v) => versionView(v)) };
}

export function acceptanceView(row: AcceptanceRow) {
  return {
    id: row.id,
    agreementId: row.agreement_id,
    version: row.version,
    current: row.version === row.current_version,
    orgId: row.org_id,
    coordinatorOrgId: row.coordinator_org_id,
    acceptedBy: row.accepted_by,
    acceptedAt: row.accepted_at.toISOString(),
    pointsOfContact: row.points_of_contact.map((c) => ({ duty: c.duty, pointOfContactId: c.pointOfContactId })),
  };
}
