import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MeController } from './me.controller.js';
import { OrganisationEntity } from './organisation.entity.js';
import { InvitationsService } from './invitations.service.js';
import {
  InvitationAcceptanceController,
  InvitationsController,
  OrganisationsController,
  PointsOfContactController,
  UsersController,
} from './organisations.controller.js';
import { OrganisationsService } from './organisations.service.js';
import { PointOfContactEntity } from './point-of-contact.entity.js';
import { PointsOfContactService } from './points-of-contact.service.js';
import { UserEntity } from './user.entity.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([OrganisationEntity, UserEntity, PointOfContactEntity])],
  controllers: [OrganisationsController, UsersController, InvitationsController, InvitationAcceptanceController, PointsOfContactController, MeController],
  providers: [OrganisationsService, UsersService, InvitationsService, PointsOfContactService],
  exports: [OrganisationsService, UsersService, InvitationsService, PointsOfContactService],
})
export class OrganisationsModule {}
