import { Global, Module } from '@nestjs/common';
import { JwksController } from './jwks.controller.js';
import { LogService } from './log.service.js';

/** The management log's service for every subject's routes, and the checkpoint keys' JWK Set. */
@Global()
@Module({
  controllers: [JwksController],
  providers: [LogService],
  exports: [LogService],
})
export class AuditModule {}
