import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import { PHASES } from '#incidents';
import type { ManagementReviewService } from '../management-review.service.js';

/** The response classes of the management-review figures, for the OpenAPI document (docs/management-review.md). */

export class CountView {
  @ApiProperty({ example: 'fraud', description: 'A category id, a severity level (1 to 4) or a phase' })
  key: string;

  @ApiProperty()
  count: number;
}

export class ClassificationView {
  @ApiProperty({ description: 'Records counted (exercises never)' })
  total: number;

  @ApiProperty({ type: [CountView], description: 'Categories some record has, by id' })
  byCategory: CountView[];

  @ApiProperty({ type: [CountView], description: 'Severities 1 to 4, each listed' })
  bySeverity: CountView[];

  @ApiProperty({ type: [CountView], description: 'The phase each record is in now, every phase listed' })
  byPhase: CountView[];
}

export class DurationsView {
  @ApiProperty({ description: 'Records measured' })
  count: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Median, in seconds (percentile_cont 0.5); null when none was measured' })
  medianSeconds: number | null;

  @ApiProperty({ type: Number, nullable: true, description: '90th percentile, interpolated, in seconds; null when none was measured' })
  p90Seconds: number | null;
}

export class PhaseTimeView {
  @ApiProperty({ enum: PHASES.filter((p) => p !== 'closed') })
  phase: string;

  @ApiProperty({ description: 'Records that left this phase at least once' })
  count: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Median time in the phase per record, in seconds' })
  medianSeconds: number | null;
}

export class MilestoneTallyView {
  @ApiProperty({ example: 'early-warning' })
  milestone: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ description: 'Sent by its deadline' })
  met: number;

  @ApiProperty({ description: 'Sent after its deadline' })
  late: number;

  @ApiProperty({ description: 'Deadline passed, nothing sent' })
  missed: number;

  @ApiProperty({ description: 'Deadline still ahead, nothing sent' })
  pending: number;
}

export class Nis2FiguresView {
  @ApiProperty({ description: 'Incidents counted that run the NIS2 clock and have an awareness time' })
  incidents: number;

  @ApiProperty({ type: [MilestoneTallyView] })
  milestones: MilestoneTallyView[];
}

export class ActionFiguresView {
  @ApiProperty({ description: 'Open or in progress now (exercises left out)' })
  open: number;

  @ApiProperty({ description: 'Of those, past their due date (UTC)' })
  overdue: number;

  @ApiProperty({ description: 'Done within the window' })
  done: number;
}

export class FiguresView {
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ format: 'date-time', description: 'Window start, included' })
  from: string;

  @ApiProperty({ format: 'date-time', description: 'Window end, excluded' })
  to: string;

  @ApiProperty({ format: 'date-time' })
  generatedAt: string;

  @ApiProperty({ type: ClassificationView, description: 'Incidents the organisation became aware of in the window' })
  incidents: ClassificationView;

  @ApiProperty({ description: 'Event reports triaged as near misses in the window' })
  nearMisses: number;

  @ApiProperty({ type: DurationsView, description: 'From awareness to containment, over the incidents contained' })
  awarenessToContainment: DurationsView;

  @ApiProperty({ type: [PhaseTimeView], description: 'Time per phase, from the phase moves in the management log' })
  timePerPhase: PhaseTimeView[];

  @ApiProperty({ type: Nis2FiguresView, description: 'NIS2 milestones met, late, missed and pending, as of now' })
  nis2: Nis2FiguresView;

  @ApiProperty({ type: ActionFiguresView, description: "The organisation's own improvement actions" })
  improvementActions: ActionFiguresView;
}

export class ParticipantsFiguresView {
  @ApiProperty({ type: Number, nullable: true, description: 'Median number of organisations that took part; null without joint incidents' })
  median: number | null;
}

export class JointFiguresView {
  @ApiProperty({ format: 'uuid' })
  coordinatorId: string;

  @ApiProperty({ format: 'date-time', description: 'Window start, included' })
  from: string;

  @ApiProperty({ format: 'date-time', description: 'Window end, excluded' })
  to: string;

  @ApiProperty({ format: 'date-time' })
  generatedAt: string;

  @ApiProperty({ type: ClassificationView, description: 'Joint incidents opened in the window' })
  jointIncidents: ClassificationView;

  @ApiProperty({ type: DurationsView, description: 'From opening to closing, over the joint incidents closed' })
  openingToClosing: DurationsView;

  @ApiProperty({ type: [PhaseTimeView], description: 'Time per phase, from the phase moves in the joint management log' })
  timePerPhase: PhaseTimeView[];

  @ApiProperty({ type: ParticipantsFiguresView })
  participantsPerJointIncident: ParticipantsFiguresView;

  @ApiProperty({ type: ActionFiguresView, description: 'Improvement actions raised in its joint reviews that their owners share with it' })
  improvementActions: ActionFiguresView;
}

true satisfies Describes<FiguresView, Awaited<ReturnType<ManagementReviewService['figures']>>>;
true satisfies Describes<JointFiguresView, Awaited<ReturnType<ManagementReviewService['jointFigures']>>>;
