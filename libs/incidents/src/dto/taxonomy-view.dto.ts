import { ApiProperty } from '@nestjs/swagger';
import type { IncidentCategory, SeverityLevel } from '../taxonomy.js';

/** The classification in force (`taxonomy.ts`), for the OpenAPI document. */

export class SubTypeView {
  @ApiProperty({ example: 'ddos' })
  id: string;

  @ApiProperty({ example: 'Distributed denial of service' })
  name: string;
}

export class CategoryView implements IncidentCategory {
  @ApiProperty({ example: 'availability' })
  id: string;

  @ApiProperty({ example: 'Availability' })
  name: string;

  @ApiProperty({ type: [SubTypeView] })
  subTypes: SubTypeView[];
}

export class SeverityLevelView implements SeverityLevel {
  @ApiProperty({ enum: [1, 2, 3, 4] })
  level: 1 | 2 | 3 | 4;

  @ApiProperty({ enum: ['low', 'medium', 'high', 'critical'] })
  id: 'low' | 'medium' | 'high' | 'critical';

  @ApiProperty()
  name: string;

  @ApiProperty({ description: 'When an incident is of this level' })
  criteria: string;
}
