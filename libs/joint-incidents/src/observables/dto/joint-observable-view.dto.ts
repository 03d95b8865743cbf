import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import { OBSERVABLE_TYPES } from '#incidents';
import { PAP_VALUES, TLP_MARKINGS } from '#sharing';
import { JointAuthorView } from '../../updates/dto/joint-update-view.dto.js';
import type { jointObservableView } from '../joint-observable.view.js';

export class JointObservableView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  jointIncidentId: string;

  @ApiProperty({ enum: OBSERVABLE_TYPES })
  type: string;

  @ApiProperty({ description: 'In its normal form (what is stored and compared)' })
  value: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ enum: PAP_VALUES, description: 'A handling instruction; it does not change who sees what' })
  pap: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  firstSeen: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeen: string | null;

  @ApiProperty({ type: JointAuthorView })
  author: JointAuthorView;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty()
  version: number;
}

true satisfies Describes<JointObservableView, ReturnType<typeof jointObservableView>>;
