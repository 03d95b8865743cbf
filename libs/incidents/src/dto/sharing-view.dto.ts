import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import type { Describes } from '#common';
import { RECIPIENT_KINDS, RELEASABLE_FIELDS } from '#sharing';
import { PHASES } from '../incident.fields.js';
import { PAP_VALUES, TLP_MARKINGS } from '../markings.js';
import { OBSERVABLE_TYPES } from '../observable-types.js';
import type { incidentRelease } from '../sharing.controller.js';
import { IncidentReportView, ReporterView } from './incident-view.dto.js';

/** The response classes of releases, the shared views and the access explanation, for the OpenAPI document. */

const REDACTIONS = ['blank', 'pseudonymise'] as const;
const REDACTIONS_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: { type: 'string', enum: [...REDACTIONS] },
  description: 'Fields sent redacted, and how (blanked, or a pseudonym stable within one release)',
};

export class RecipientView {
  @ApiProperty({ enum: RECIPIENT_KINDS })
  kind: (typeof RECIPIENT_KINDS)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'The organisation or user; absent for the community and the public' })
  id?: string;
}

export class ReleaseView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  incidentId: string;

  @ApiProperty({ enum: ['incident', 'observable'] })
  objectType: string;

  @ApiProperty({ format: 'uuid' })
  objectId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "An observable's release rides on its incident release" })
  parentReleaseId: string | null;

  @ApiProperty({ type: RecipientView })
  recipient: RecipientView;

  @ApiProperty({ enum: RELEASABLE_FIELDS, isArray: true, description: 'Internal-only fields released explicitly' })
  fields: string[];

  @ApiProperty(REDACTIONS_SCHEMA)
  redact: Record<string, (typeof REDACTIONS)[number]>;

  @ApiProperty()
  reason: string;

  @ApiProperty({ enum: ['live', 'revoked'] })
  status: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  createdBy: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  revokedBy: string | null;

  @ApiProperty({ type: String, nullable: true })
  revokeReason: string | null;
}

/**
 * An incident as a recipient receives it: only what the sharing policy's allow-list and the caller's
 * grants let through, so every property is optional. Lists carry the register's fields only.
 */
export class SharedIncidentView {
  @ApiPropertyOptional({ format: 'uuid' }) id?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The owner organisation' }) orgId?: string;
  @ApiPropertyOptional() title?: string;
  @ApiPropertyOptional() summary?: string;
  @ApiPropertyOptional() category?: string;
  @ApiPropertyOptional() subType?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 4 }) severity?: number;
  @ApiPropertyOptional({ enum: PHASES }) phase?: string;
  @ApiPropertyOptional() impact?: string;
  @ApiPropertyOptional({ enum: TLP_MARKINGS }) marking?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) awareAt?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) detectedAt?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) reportedAt?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) containedAt?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) closedAt?: string | null;
  @ApiPropertyOptional({ description: 'An exercise (ISO/IEC 27035-2 clause 11), not a real incident' }) exercise?: boolean;
  @ApiPropertyOptional() version?: number;
  @ApiPropertyOptional({ format: 'date-time' }) createdAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) updatedAt?: string;
  @ApiPropertyOptional({ description: 'Only where a release names it' }) internalNotes?: string;
  @ApiPropertyOptional({ type: ReporterView, nullable: true, description: 'Only where a release names it' }) reporter?: ReporterView | null;
  @ApiPropertyOptional({ description: 'Only where a release names it' }) affectedAssets?: string;
  @ApiPropertyOptional({ type: IncidentReportView, nullable: true, description: 'Only where a release names it' }) report?: IncidentReportView | null;
  @ApiPropertyOptional(REDACTIONS_SCHEMA) redactions?: Record<string, (typeof REDACTIONS)[number]>;
}

/** An observable as a recipient receives it: what the policy lets through. */
export class SharedObservableView {
  @ApiPropertyOptional({ format: 'uuid' }) id?: string;
  @ApiPropertyOptional({ format: 'uuid' }) incidentId?: string;
  @ApiPropertyOptional({ enum: OBSERVABLE_TYPES }) type?: string;
  @ApiPropertyOptional() value?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) firstSeen?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) lastSeen?: string | null;
  @ApiPropertyOptional({ enum: TLP_MARKINGS }) marking?: string;
  @ApiPropertyOptional({ enum: PAP_VALUES }) pap?: string;
  @ApiPropertyOptional() version?: number;
  @ApiPropertyOptional({ format: 'date-time' }) createdAt?: string;
  @ApiPropertyOptional(REDACTIONS_SCHEMA) redactions?: Record<string, (typeof REDACTIONS)[number]>;
}

export class SharedIncidentDetailView extends SharedIncidentView {
  @ApiProperty({ type: [SharedObservableView], description: 'The observables released to you with it' })
  observables: SharedObservableView[];
}

export class ReaderRecipientView extends RecipientView {
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: "A named user's organisation" })
  organisationId?: string | null;
}

/** One live grant of the incident, and the rule that lets it stand. */
export class ReaderView {
  @ApiProperty({ example: 'org:0b6f…', description: 'The access key: org:<id>, user:<id>, community or public' })
  grantee: string;

  @ApiProperty({ type: ReaderRecipientView })
  recipient: ReaderRecipientView;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  releaseId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The joint incident it was passed on into, if any' })
  via: string | null;

  @ApiProperty()
  rule: string;

  @ApiProperty({ type: [String] })
  fields: string[];

  @ApiProperty(REDACTIONS_SCHEMA)
  redact: Record<string, string>;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  releasedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  releasedBy: string | null;
}

export class OwnerRuleView {
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty()
  rule: string;
}

/** Whether one organisation reads the incident, and why (not). */
export class OrganisationDecisionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ['member', 'coordinator', 'partner'] })
  kind: string;

  @ApiProperty({ enum: ['all users', 'named users only', 'no'] })
  canRead: string;

  @ApiPropertyOptional({ type: [String], description: 'The named users, when only they read it' })
  users?: string[];

  @ApiProperty({ type: [String], description: 'The grants or the rule that decide it' })
  because: string[];
}

/** "Who can read this incident, and why." */
export class AccessExplanationView {
  @ApiProperty({ format: 'uuid' })
  incidentId: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ type: OwnerRuleView })
  owner: OwnerRuleView;

  @ApiProperty({ type: [ReaderView] })
  readers: ReaderView[];

  @ApiPropertyOptional({ type: OrganisationDecisionView, description: 'With ?organisation= only' })
  organisation?: OrganisationDecisionView;
}

true satisfies Describes<ReleaseView, ReturnType<typeof incidentRelease>>;
