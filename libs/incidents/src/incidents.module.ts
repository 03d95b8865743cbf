import { Module } from '@nestjs/common';
import { SharingModule } from '#sharing';
import { EventReportsService } from './event-reports.service.js';
import { EventReportsController, IncidentsController } from './incidents.controller.js';
import { IncidentsService } from './incidents.service.js';
import { ObservablesService } from './observables.service.js';
import { SharedIncidentsService } from './shared-incidents.service.js';
import { ReleasesController, SharedIncidentsController } from './sharing.controller.js';
import { TaxonomyController } from './taxonomy.controller.js';

@Module({
  imports: [SharingModule],
  controllers: [TaxonomyController, IncidentsController, EventReportsController, ReleasesController, SharedIncidentsController],
  providers: [IncidentsService, ObservablesService, EventReportsService, SharedIncidentsService],
  exports: [IncidentsService],
})
export class IncidentsModule {}
