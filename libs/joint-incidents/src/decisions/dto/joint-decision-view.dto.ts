import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import { TLP_MARKINGS } from '#sharing';
import type { jointDecisionView } from '../joint-decision.view.js';

export class JointDecisionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  jointIncidentId: string;

  @ApiProperty()
  decision: string;

  @ApiProperty()
  rationale: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The coordination team member who recorded it' })
  decidedBy: string | null;

  @ApiProperty({ format: 'date-time' })
  decidedAt: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

true satisfies Describes<JointDecisionView, ReturnType<typeof jointDecisionView>>;
