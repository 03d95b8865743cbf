import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import { TLP_MARKINGS } from '#sharing';
import type { improvementActionView } from '../improvement-action.view.js';
import { ACTION_KINDS, ACTION_SOURCES, ACTION_STATES } from './improvement-action.dto.js';

export class ActionOwnerView {
  @ApiProperty({ format: 'uuid', description: 'The organisation that carries the action out (and alone writes it)' })
  organisationId: string;

  @ApiProperty({ type: String, nullable: true })
  label: string | null;

  @ApiProperty({ format: 'uuid', description: 'The user of that organisation who owns it' })
  userId: string;
}

export class ActionSourceView {
  @ApiProperty({ enum: ACTION_SOURCES })
  type: 'incident' | 'joint_incident';

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "The owner's own incident (the owner only)" })
  incidentId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The joint incident whose review raised it' })
  jointIncidentId: string | null;
}

export class EvidenceEntryView {
  @ApiProperty()
  note: string;

  @ApiProperty({ type: [String] })
  links: string[];

  @ApiProperty({ format: 'uuid' })
  addedBy: string;

  @ApiProperty({ format: 'date-time' })
  addedAt: string;
}

export class ImprovementActionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: ActionOwnerView })
  owner: ActionOwnerView;

  @ApiProperty({ type: ActionSourceView })
  source: ActionSourceView;

  @ApiProperty({ enum: ACTION_KINDS })
  kind: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ format: 'date' })
  dueOn: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ enum: ACTION_STATES })
  state: string;

  @ApiProperty({ type: String, nullable: true })
  dropReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  doneAt: string | null;

  @ApiProperty()
  shareWithCoordinator: boolean;

  @ApiProperty({ type: [EvidenceEntryView], description: 'Evidence of follow-through, oldest first' })
  evidence: EvidenceEntryView[];

  @ApiProperty({ description: 'Raised from an exercise: kept out of the management-review figures' })
  exercise: boolean;

  @ApiProperty({ description: 'Computed at read: open or in progress, and dueOn before today (UTC)' })
  overdue: boolean;

  @ApiProperty({ description: "Your organisation's own action (false: shared with your coordination team)" })
  own: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty()
  version: number;
}

true satisfies Describes<ImprovementActionView, ReturnType<typeof improvementActionView>>;
