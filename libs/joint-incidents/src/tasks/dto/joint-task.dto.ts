import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '#common';
import { TLP_MARKINGS, type TlpMarking } from '#sharing';

export const TASK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export const TASK_AUDIENCES = ['parties', 'all'] as const;
export type TaskAudience = (typeof TASK_AUDIENCES)[number];
export const TASK_STATES = ['proposed', 'accepted', 'declined', 'in_progress', 'done', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
/** The states a task can still move from (overdue counts these only). */
export const OPEN_TASK_STATES = ['proposed', 'accepted', 'in_progress'] as const;
/** The largest version a task can have (its column is a PostgreSQL integer): larger is a 400, not a 500. */
export const MAX_TASK_VERSION = 2147483647;

export class CreateJointTaskDto {
  @ApiProperty({ format: 'uuid', description: 'The accepted participant it goes to: its organisation id, or its participant id (how a pseudonymous participant is named)' })
  @IsUUID('all', { message: 'assignee must be a participant id or an organisation id (a UUID)' })
  assignee: string;

  @ApiPropertyOptional({ format: 'uuid', description: "One of the assignee organisation's points of contact (not for a participant pseudonymous to you)" })
  @IsOptional()
  @IsUUID('all', { message: 'assigneeContactId must be the id of a point of contact (a UUID)' })
  assigneeContactId?: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  description?: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking: TlpMarking;

  @ApiProperty({ enum: TASK_PRIORITIES })
  @IsIn(TASK_PRIORITIES, { message: `priority must be one of ${TASK_PRIORITIES.join(', ')}` })
  priority: TaskPriority;

  @ApiPropertyOptional({ enum: TASK_AUDIENCES, default: 'parties', description: 'parties: the assigner, the assignee and the coordination team; all: every accepted participant too' })
  @IsOptional()
  @IsIn(TASK_AUDIENCES, { message: `audience must be one of ${TASK_AUDIENCES.join(', ')}` })
  audience?: TaskAudience;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'RED only, and then required: the users it reaches (of the organisations the audience names)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  audienceUsers?: string[];

  @ApiProperty({ example: '2027-03-15T09:00', description: 'Local wall time in dueTimeZone (or with an offset that agrees with it)' })
  @IsString()
  @MaxLength(40)
  dueAt: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone' })
  @IsString()
  @MaxLength(64)
  dueTimeZone: string;
}

/** A state change: the version read, and the reason or outcome note the change needs. */
export class JointTaskTransitionDto {
  @ApiProperty({ description: 'The version you read (optimistic concurrency)', minimum: 1, maximum: MAX_TASK_VERSION })
  @IsInt({ message: 'version must be a whole number' })
  @Min(1)
  @Max(MAX_TASK_VERSION)
  version: number;

  @ApiPropertyOptional({ description: 'Decline and cancel: why (required)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason?: string;

  @ApiPropertyOptional({ description: 'Done: the outcome note (required)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  outcome?: string;
}

export class ReassignJointTaskDto {
  @ApiProperty({ description: 'The version you read (optimistic concurrency)', minimum: 1, maximum: MAX_TASK_VERSION })
  @IsInt({ message: 'version must be a whole number' })
  @Min(1)
  @Max(MAX_TASK_VERSION)
  version: number;

  @ApiProperty({ format: 'uuid', description: 'The new assignee, as in assigning' })
  @IsUUID('all', { message: 'assignee must be a participant id or an organisation id (a UUID)' })
  assignee: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'assigneeContactId must be the id of a point of contact (a UUID)' })
  assigneeContactId?: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

export class TaskListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATES })
  @IsOptional()
  @IsIn(TASK_STATES, { message: `state must be one of ${TASK_STATES.join(', ')}` })
  state?: TaskState;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: open tasks past their due instant; false: the others' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'overdue must be true or false' })
  overdue?: 'true' | 'false';

  @ApiPropertyOptional({ example: '2027-03-15T09:00:00Z', description: 'Only tasks due before this instant (with its offset)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  dueBefore?: string;
}

export const TASK_SCOPES = ['assigned', 'coordinated'] as const;

export class MyTasksQueryDto extends TaskListQueryDto {
  @ApiPropertyOptional({ enum: TASK_SCOPES, default: 'assigned', description: "assigned: tasks assigned to your organisation; coordinated: every task of the joint incidents you coordinate" })
  @IsOptional()
  @IsIn(TASK_SCOPES, { message: `scope must be one of ${TASK_SCOPES.join(', ')}` })
  scope?: (typeof TASK_SCOPES)[number];
}

