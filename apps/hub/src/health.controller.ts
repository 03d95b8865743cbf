import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '#auth';
import { ApiErrors } from '#common';
import { TenantDatabase } from '#database';
import { HealthView } from './health.dto.js';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly db: TenantDatabase) {}

  /** The process is up and serving; says nothing of its dependencies. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ type: HealthView })
  @ApiErrors()
  live() {
    return { status: 'ok' };
  }

  /** Ready to take traffic: the database answers the application role. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers the application role (503 if not)' })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'The database does not answer; take this process out of rotation' })
  @ApiErrors()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      await this.db.ping();
      return { status: 'ok', checks: { database: 'ok' } };
    } catch {
      reply.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'unavailable', checks: { database: 'unreachable' } };
    }
  }
}
