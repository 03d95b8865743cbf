import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '#auth';
import { TenantDatabase } from '#database';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly db: TenantDatabase) {}

  /** The process is up and serving; says nothing of its dependencies. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready to take traffic: the database answers the application role. */
  @Get('ready')
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
