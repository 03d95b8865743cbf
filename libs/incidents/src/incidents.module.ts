import { Module } from '@nestjs/common';
import { EventReportsService } from './event-reports.service.js';
import { EventReportsController, IncidentsController } from './incidents.controller.js';
import { IncidentsService } from './incidents.service.js';
import { ObservablesService } from './observables.service.js';
import { TaxonomyController } from './taxonomy.controller.js';

@Module({
  controllers: [TaxonomyController, IncidentsController, EventReportsController],
  providers: [IncidentsService, ObservablesService, EventReportsService],
  exports: [IncidentsService],
})
export class IncidentsModule {}
