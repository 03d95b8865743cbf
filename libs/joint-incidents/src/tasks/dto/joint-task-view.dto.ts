import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Describes } from '#common';
import { TLP_MARKINGS } from '#sharing';
import type { jointTaskView } from '../joint-task.view.js';
import { TASK_AUDIENCES, TASK_PRIORITIES, TASK_STATES } from './joint-task.dto.js';

export class JointTaskPartyView {
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: "The organisation id, or the participant id of a participant pseudonymous to you" })
  id: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The organisation's name, or the pseudonym ('Participant C')" })
  label: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The participation (null for the coordination team)' })
  participantId: string | null;
}

export class JointTaskActorView {
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  id: string | null;

  @ApiProperty({ type: String, nullable: true })
  label: string | null;
}

export class LocalTimeView {
  @ApiProperty({ example: 'Europe/Berlin' })
  timeZone: string;

  @ApiProperty({ example: '2027-03-15T09:00:00', description: 'Wall time in that zone' })
  local: string;

  @ApiProperty({ example: '+01:00' })
  offset: string;
}

export class JointTaskDueView {
  @ApiProperty({ format: 'date-time', description: 'The due instant (UTC)' })
  at: string;

  @ApiProperty({ description: 'The zone the due date was given in' })
  timeZone: string;

  @ApiProperty({ description: 'Wall time in that zone' })
  local: string;

  @ApiProperty()
  offset: string;

  @ApiProperty({ type: LocalTimeView, nullable: true, description: "In the assigner's zone (null where the assigner is pseudonymous to you)" })
  inAssignerZone: LocalTimeView | null;

  @ApiProperty({ type: LocalTimeView, nullable: true, description: "In the assignee's zone (null where the assignee is pseudonymous to you)" })
  inAssigneeZone: LocalTimeView | null;
}

export class JointTaskHistoryView {
  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ example: 'accept' })
  action: string;

  @ApiProperty({ type: String, nullable: true })
  from: string | null;

  @ApiProperty()
  to: string;

  @ApiProperty({ type: String, nullable: true, description: 'The reason or outcome note given' })
  note: string | null;

  @ApiProperty({ type: JointTaskActorView })
  actor: JointTaskActorView;
}

export class JointTaskView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  jointIncidentId: string;

  @ApiProperty({ description: 'The joint incident is an exercise' })
  exercise: boolean;

  @ApiProperty()
  title: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ enum: TASK_PRIORITIES })
  priority: string;

  @ApiProperty({ enum: TASK_AUDIENCES })
  audience: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The assigner only: the users a RED task reaches' })
  audienceUsers?: string[];

  @ApiProperty({ type: JointTaskPartyView })
  assigner: JointTaskPartyView;

  @ApiProperty({ type: JointTaskPartyView })
  assignee: JointTaskPartyView;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  assigneeContactId: string | null;

  @ApiProperty({ type: JointTaskDueView })
  due: JointTaskDueView;

  @ApiProperty({ enum: TASK_STATES })
  state: string;

  @ApiProperty({ type: String, nullable: true, description: 'Why it was last declined, cancelled or reassigned' })
  stateReason: string | null;

  @ApiProperty({ type: String, nullable: true })
  outcome: string | null;

  @ApiProperty({ description: 'Open and past its due instant, computed when read' })
  overdue: boolean;

  @ApiProperty({ type: [JointTaskHistoryView] })
  history: JointTaskHistoryView[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty()
  version: number;
}

true satisfies Describes<JointTaskView, ReturnType<typeof jointTaskView>>;
