import { Module } from '@nestjs/common';
import { JointDecisionsController } from '../decisions/joint-decisions.controller.js';
import { JointDecisionsService } from '../decisions/joint-decisions.service.js';
import { IncidentPassesService } from '../linked-incidents/incident-passes.service.js';
import { IncidentPassesController, LinkedIncidentsController } from '../linked-incidents/linked-incidents.controller.js';
import { LinkedIncidentsService } from '../linked-incidents/linked-incidents.service.js';
import { JointObservablesController } from '../observables/joint-observables.controller.js';
import { JointObservablesService } from '../observables/joint-observables.service.js';
import { JointReviewController } from '../review/joint-review.controller.js';
import { JointReviewService } from '../review/joint-review.service.js';
import { JointTasksController, MyTasksController } from '../tasks/joint-tasks.controller.js';
import { JointTasksService } from '../tasks/joint-tasks.service.js';
import { JointUpdatesController } from '../updates/joint-updates.controller.js';
import { JointUpdatesService } from '../updates/joint-updates.service.js';

/** What lives inside a joint incident: updates and advisories, decisions, observables, linked incidents and the onward pass, tasks, the lessons-learned review. */
@Module({
  controllers: [
    JointUpdatesController, JointDecisionsController, JointObservablesController, LinkedIncidentsController, IncidentPassesController,
    JointTasksController, MyTasksController, JointReviewController,
  ],
  providers: [
    JointUpdatesService, JointDecisionsService, JointObservablesService, LinkedIncidentsService, IncidentPassesService, JointTasksService,
    JointReviewService,
  ],
})
export class JointObjectsModule {}
