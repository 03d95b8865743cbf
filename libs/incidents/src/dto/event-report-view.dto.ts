import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import type { EventReportsService } from '../event-reports.service.js';

/** An event report as its organisation reads it, for the OpenAPI document. */
export class EventReportView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  reporterName: string;

  @ApiProperty()
  reporterContact: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  observedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  reportedAt: string;

  @ApiProperty()
  description: string;

  @ApiProperty()
  affectedAsset: string;

  @ApiProperty()
  detectionMethod: string;

  @ApiProperty({ enum: ['new', 'promoted', 'dismissed', 'near_miss'] })
  status: string;

  @ApiProperty({ type: String, nullable: true })
  triageReason: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The incident it was promoted to' })
  incidentId: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  triagedAt: string | null;

  @ApiProperty({ description: 'Name it when triaging; a stale one answers 409' })
  version: number;
}

true satisfies Describes<EventReportView, Awaited<ReturnType<EventReportsService['get']>>>;
