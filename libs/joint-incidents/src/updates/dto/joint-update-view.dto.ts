import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Describes } from '#common';
import { TLP_MARKINGS } from '#sharing';
import type { jointUpdateView } from '../joint-update.view.js';
import { AUDIENCES, UPDATE_KINDS } from './joint-update.dto.js';

/** Who wrote a joint object: its organisation, or its participant id and pseudonym when it takes part under one. */
export class JointAuthorView {
  @ApiProperty({ format: 'uuid', description: "The author's organisation id, or its participant id when it takes part pseudonymously (to everyone but the coordination team)" })
  id: string;

  @ApiProperty({ type: String, nullable: true, description: "The organisation's name, or the pseudonym ('Participant C')" })
  label: string | null;
}

export class JointUpdateView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  jointIncidentId: string;

  @ApiProperty({ enum: UPDATE_KINDS })
  kind: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  body: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ enum: AUDIENCES })
  audience: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The author only: the chosen participants, by participant id' })
  audienceParticipants?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The author only: the users a RED update reaches' })
  audienceUsers?: string[];

  @ApiProperty({ type: JointAuthorView })
  author: JointAuthorView;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty()
  version: number;
}

true satisfies Describes<JointUpdateView, ReturnType<typeof jointUpdateView>>;
