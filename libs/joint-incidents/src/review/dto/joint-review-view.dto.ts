import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Describes } from '#common';
import { TLP_MARKINGS } from '#sharing';
import { JointAuthorView } from '../../updates/dto/joint-update-view.dto.js';
import type { jointContributionView, jointReportView, quoteView } from '../joint-review.view.js';
import { CONTRIBUTION_AUDIENCES, QUOTABLE_FIELDS } from './joint-review.dto.js';

export class NearMissDatesView {
  @ApiProperty({ format: 'date-time', description: 'When the event report was received' })
  receivedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was triaged as a near miss' })
  decidedAt: string | null;
}

export class NearMissesView {
  @ApiProperty()
  count: number;

  @ApiProperty({ type: [NearMissDatesView], description: 'Their dates only: nothing else of the member register' })
  items: NearMissDatesView[];
}

export class JointContributionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  jointIncidentId: string;

  @ApiProperty({ type: JointAuthorView })
  author: JointAuthorView;

  @ApiProperty()
  whatHappened: string;

  @ApiProperty()
  whatWorked: string;

  @ApiProperty()
  whatDidNot: string;

  @ApiProperty()
  recommendations: string;

  @ApiProperty({ type: NearMissesView })
  nearMisses: NearMissesView;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The author only: its event reports counted as near misses' })
  nearMissIds?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The author only: the users a RED contribution reaches' })
  audienceUsers?: string[];

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ enum: CONTRIBUTION_AUDIENCES })
  audience: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty()
  version: number;
}

true satisfies Describes<JointContributionView, ReturnType<typeof jointContributionView>>;

export class JointReportQuoteView {
  @ApiProperty({ description: 'true: you may not read the quoted contribution; nothing else is said of it' })
  withheld: boolean;

  @ApiPropertyOptional({ format: 'uuid' })
  contributionId?: string;

  @ApiPropertyOptional({ enum: QUOTABLE_FIELDS })
  field?: string;

  @ApiPropertyOptional({ type: JointAuthorView })
  author?: JointAuthorView;

  @ApiPropertyOptional({ description: 'The quoted text, as the contribution reads now' })
  text?: string;
}

true satisfies Describes<JointReportQuoteView, ReturnType<typeof quoteView>>;

export class JointReportView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  jointIncidentId: string;

  @ApiProperty()
  summary: string;

  @ApiProperty()
  findings: string;

  @ApiProperty()
  recommendations: string;

  @ApiProperty({ type: [JointReportQuoteView] })
  quotes: JointReportQuoteView[];

  @ApiProperty({ description: 'The near misses of the contributions you may read, summed' })
  nearMissCount: number;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ enum: ['draft', 'published'] })
  status: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty()
  version: number;
}

true satisfies Describes<JointReportView, ReturnType<typeof jointReportView>>;
