import { Module } from '@nestjs/common';
import { AccessExplainer } from './access-explainer.js';
import { ReleasesService } from './releases.service.js';

/** The sharing policy's services, for the feature libraries whose controllers release and explain their objects. */
@Module({
  providers: [ReleasesService, AccessExplainer],
  exports: [ReleasesService, AccessExplainer],
})
export class SharingModule {}
