import { Module } from '@nestjs/common';
import { JointAccessService } from './joint-access.service.js';
import { JointIncidentsController } from './joint-incidents.controller.js';
import { JointIncidentsService } from './joint-incidents.service.js';
import { ParticipantsService } from './participants.service.js';
import { JointInvitationsController } from './participants/joint-invitations.controller.js';

@Module({
  controllers: [JointIncidentsController, JointInvitationsController],
  providers: [JointIncidentsService, ParticipantsService, JointAccessService],
  exports: [JointIncidentsService, ParticipantsService],
})
export class JointIncidentsModule {}
