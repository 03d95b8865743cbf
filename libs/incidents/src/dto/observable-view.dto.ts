import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import { PAP_VALUES, TLP_MARKINGS } from '../markings.js';
import { OBSERVABLE_TYPES } from '../observable-types.js';
import type { observableView } from '../observables.service.js';

/** An observable as its owner reads it, for the OpenAPI document. */
export class ObservableView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  incidentId: string;

  @ApiProperty({ enum: OBSERVABLE_TYPES })
  type: string;

  @ApiProperty({ description: 'In its normal form (what is stored and compared)' })
  value: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  firstSeen: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeen: string | null;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ enum: PAP_VALUES })
  pap: string;

  @ApiProperty({ description: 'Name it in a change; a stale one answers 409' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

true satisfies Describes<ObservableView, ReturnType<typeof observableView>>;
