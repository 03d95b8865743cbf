import { Module } from '@nestjs/common';
import { ImprovementActionsController, IncidentActionsController, JointActionsController } from './improvement-actions.controller.js';
import { ImprovementActionsService } from './improvement-actions.service.js';

/** Improvement actions from incident reports and joint reviews (ISO/IEC 27035-2 clause 12). */
@Module({
  controllers: [ImprovementActionsController, IncidentActionsController, JointActionsController],
  providers: [ImprovementActionsService],
  exports: [ImprovementActionsService],
})
export class ImprovementActionsModule {}
