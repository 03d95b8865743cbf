import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '#auth';
import { LogService } from './log.service.js';

/**
 * The keys that sign management-log checkpoints, where any JOSE library looks for them (RFC 8615, RFC 7517).
 * Not in the API document: its shape is the JWK Set standard's, and it takes no input and no credential.
 */
@ApiExcludeController()
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly log: LogService) {}

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=60')
  jwks() {
    return this.log.jwks();
  }
}
