import type { QuotableField } from './dto/joint-review.dto.js';

/** A contribution as stored (the author's row) or as the shared view returns it (author masked, no near-miss ids). */
export interface JointContributionRow {
  id: string;
  org_id: string;
  author_label: string | null;
  joint_incident_id: string;
  what_happened: string;
  what_worked: string;
  what_did_not: string;
  recommendations: string;
  near_miss_ids: string[] | null;
  near_misses: { receivedAt: string; decidedAt: string | null }[];
  marking: string;
  audience: string;
  audience_users: string[] | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  sort_key: string;
  own: boolean;
}

/** The quotable fields of a contribution by their API names. */
export function quotableText(row: JointContributionRow, field: QuotableField): string {
  switch (field) {
    case 'whatHappened':
      return row.what_happened;
    case 'whatWorked':
      return row.what_worked;
    case 'whatDidNot':
      return row.what_did_not;
    case 'recommendations':
      return row.recommendations;
  }
}

/**
 * What a reader gets of a contribution: the author by organisation, or by participant id and pseudonym; the near
 * misses as a count and their received/decided dates. The near-miss ids and the named users go to the author only.
 */
export function jointContributionView(row: JointContributionRow) {
  return {
    id: row.id,
    jointIncidentId: row.joint_incident_id,
    author: { id: row.org_id, label: row.author_label },
    whatHappened: row.what_happened,
    whatWorked: row.what_worked,
    whatDidNot: row.what_did_not,
    recommendations: row.recommendations,
    nearMisses: { count: row.near_misses.length, items: row.near_misses.map((n) => ({ receivedAt: n.receivedAt, decidedAt: n.decidedAt })) },
    ...(row.own ? { nearMissIds: row.near_miss_ids ?? [], audienceUsers: row.audience_users ?? [] } : {}),
    marking: row.marking,
    audience: row.audience,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

/** A quote as stored in the report row: a reference, never the text. */
export interface StoredQuote {
  contributionId: string;
  field: QuotableField;
  start?: number;
  end?: number;
}

export interface JointReportRow {
  id: string;
  org_id: string;
  joint_incident_id: string;
  summary: string;
  findings: string;
  recommendations: string;
  /** The coordinator's own row: references; through `shared_joint_reports`: a withheld marker where the reader may not read the contribution. */
  quotes: (StoredQuote | { withheld: true })[];
  marking: string;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/**
 * One quote as this reader meets it: a withheld marker that names nothing (no contribution, no author, no field)
 * where `shared_joint_reports` already withheld it, or where the reader's own read of the contribution finds
 * nothing; else resolved through that read.
 */
export function quoteView(quote: StoredQuote | { withheld: true }, readable: Map<string, JointContributionRow>) {
  if ('withheld' in quote) return { withheld: true as const };
  const contribution = readable.get(quote.contributionId);
  if (!contribution) return { withheld: true as const };
  const text = quotableText(contribution, quote.field);
  const start = Math.min(quote.start ?? 0, text.length);
  const end = Math.min(quote.end ?? text.length, text.length);
  return {
    withheld: false as const,
    contributionId: contribution.id,
    field: quote.field,
    author: { id: contribution.org_id, label: contribution.author_label },
    text: text.slice(start, Math.max(start, end)),
  };
}

/** The joint report as this reader may read it: quotes resolved per reader, the near misses of what it may read. */
export function jointReportView(row: JointReportRow, readable: Map<string, JointContributionRow>) {
  return {
    id: row.id,
    jointIncidentId: row.joint_incident_id,
    summary: row.summary,
    findings: row.findings,
    recommendations: row.recommendations,
    quotes: row.quotes.map((q) => quoteView(q, readable)),
    nearMissCount: [...readable.values()].reduce((sum, c) => sum + c.near_misses.length, 0),
    marking: row.marking,
    status: row.published_at ? ('published' as const) : ('draft' as const),
    publishedAt: row.published_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}
