import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { Logger } from 'pino';
import { HUB_CONFIG, type HubConfig, HubExceptionFilter, HubValidationPipe, ROOT_LOGGER } from '#common';
import { AuditModule } from '#audit';
import { AuthModule } from '#auth';
import { DatabaseModule } from '#database';
import { IncidentsModule } from '#incidents';
import { AgreementsModule } from '#joint-incidents';
import { JointIncidentsModule } from '#joint-incidents';
import { JointObjectsModule } from '#joint-incidents';
import { ManagementReviewModule } from '#management-review';
import { ImprovementActionsModule } from '#improvement-actions';
import { OrganisationsModule } from '#organisations';
import { HealthController } from './health.controller.js';

@Module({})
export class AppModule {
  static forRoot(options: { config: HubConfig; logger: Logger; appUrl: string }): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [DatabaseModule.forRoot({ appUrl: options.appUrl }), AuthModule, OrganisationsModule, IncidentsModule, AuditModule, AgreementsModule, JointIncidentsModule,
        JointObjectsModule, ManagementReviewModule, ImprovementActionsModule],
      controllers: [HealthController],
      providers: [
        { provide: HUB_CONFIG, useValue: options.config },
        { provide: ROOT_LOGGER, useValue: options.logger },
        { provide: APP_FILTER, useClass: HubExceptionFilter },
        { provide: APP_PIPE, useClass: HubValidationPipe },
      ],
      exports: [HUB_CONFIG, ROOT_LOGGER],
    };
  }
}
