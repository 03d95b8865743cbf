import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Describes } from '#common';
import { PHASES } from '../incident.fields.js';
import { TLP_MARKINGS } from '../markings.js';
import type { ownerIncidentView, registerItemView } from '../incident.view.js';
import type { IncidentsService } from '../incidents.service.js';
import { ChainVerdictView } from '#audit';
import { CLOCK_PROFILES, type ClockState } from '../clock-profiles.js';

/** The response classes of the register (`incident.view.ts`, the clocks), for the OpenAPI document; the log's are #audit's. */

export class ReporterView {
  @ApiProperty()
  name: string;

  @ApiPropertyOptional()
  contact?: string;
}

export class IncidentReportView {
  @ApiProperty()
  summary: string;

  @ApiProperty()
  lessonsLearned: string;

  @ApiProperty()
  rootCause: string;

  @ApiProperty()
  actionsTaken: string;
}

/** What the register lists: no internal-only field. */
export class RegisterItemView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ example: 'availability', description: 'A category id from GET /api/v1/categories' })
  category: string;

  @ApiProperty({ example: 'ddos' })
  subType: string;

  @ApiProperty({ minimum: 1, maximum: 4 })
  severity: number;

  @ApiProperty({ enum: PHASES })
  phase: (typeof PHASES)[number];

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: (typeof TLP_MARKINGS)[number];

  @ApiProperty({ description: 'An exercise (ISO/IEC 27035-2 clause 11): runs no regulatory clock, kept out of the figures' })
  exercise: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  awareAt: string | null;

  @ApiProperty({ description: 'Name it in a change; a stale one answers 409' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** The owner organisation's view of one of its incidents: every field, the internal-only ones included. */
export class IncidentView extends RegisterItemView {
  @ApiProperty({ format: 'uuid', description: 'The owner organisation' })
  orgId: string;

  @ApiProperty()
  summary: string;

  @ApiProperty()
  impact: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  detectedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  reportedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  containedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({ description: 'Internal only' })
  internalNotes: string;

  @ApiProperty({ type: ReporterView, nullable: true, description: 'Internal only' })
  reporter: ReporterView | null;

  @ApiProperty({ description: 'Internal only' })
  affectedAssets: string;

  @ApiProperty({ type: IncidentReportView, nullable: true, description: 'The incident report, once written (closing needs it)' })
  report: Record<string, string> | null;

  @ApiProperty({ enum: CLOCK_PROFILES.map((p) => p.id), isArray: true })
  clockProfiles: string[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The event report it was promoted from' })
  sourceEventReportId: string | null;

  @ApiProperty({ description: 'Entries in its management log' })
  logLength: number;
}

export class ClockStateView implements ClockState {
  @ApiProperty({ example: 'nis2' })
  profile: string;

  @ApiProperty({ example: 'early-warning' })
  milestone: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null until awareAt is known' })
  dueAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  sentAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  reference: string | null;

  @ApiProperty({ enum: ['not_started', 'pending', 'overdue', 'sent', 'sent_late'] })
  status: ClockState['status'];
}

export class ClocksView {
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  awareAt: string | null;

  @ApiProperty({ description: 'An exercise runs no regulatory clock: its items are always empty' })
  exercise: boolean;

  @ApiProperty({ type: [ClockStateView] })
  items: ClockStateView[];
}

true satisfies Describes<IncidentView, ReturnType<typeof ownerIncidentView>>;
true satisfies Describes<RegisterItemView, ReturnType<typeof registerItemView>>;
true satisfies Describes<ClocksView, Awaited<ReturnType<IncidentsService['clocks']>>>;
true satisfies Describes<ChainVerdictView, Awaited<ReturnType<IncidentsService['verifyLog']>>>;
