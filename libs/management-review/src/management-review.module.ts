import { Module } from '@nestjs/common';
import { ManagementReviewController } from './management-review.controller.js';
import { ManagementReviewService } from './management-review.service.js';

/** The figures for management review (ISO/IEC 27001 clause 9.3): read-only, over the caller's own rows. */
@Module({
  controllers: [ManagementReviewController],
  providers: [ManagementReviewService],
  exports: [ManagementReviewService],
})
export class ManagementReviewModule {}
