import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class HealthChecksView {
  @ApiProperty({ enum: ['ok', 'unreachable'] })
  database: 'ok' | 'unreachable';
}

/** What the health probes answer, on 200 and on 503 alike. */
export class HealthView {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status: 'ok' | 'unavailable';

  @ApiPropertyOptional({ type: HealthChecksView, description: 'Readiness only' })
  checks?: HealthChecksView;
}
