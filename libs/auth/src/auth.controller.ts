import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { AnyPrincipal, CurrentPrincipal, Public, UsersOnly } from './access.decorators.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthService } from './auth.service.js';
import { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { TokenPairDto } from './dto/token-pair.dto.js';
import type { Principal } from './principal.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(...BODY_ERRORS, 401, 429)
  login(@Body() body: LoginDto, @Req() request: FastifyRequest) {
    return this.auth.login(body.email, body.password, request.ip);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair (the old one stops working)' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(...BODY_ERRORS, 401)
  refresh(@Body() body: RefreshDto) {
    return this.auth.refresh(body.refreshToken);
  }

  @AnyPrincipal()
  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End this session: its access and refresh tokens stop working at once' })
  @ApiNoContentResponse({ description: 'Logged out' })
  @ApiErrors(400, 401)
  async logout(@CurrentPrincipal() principal: Principal) {
    await this.auth.logout(principal);
  }
}

@ApiTags('api keys')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/api-keys')
@UsersOnly('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: "Create an API key for this organisation's machine clients (the key is shown once)" })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrors(...BODY_ERRORS)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto) {
    return this.keys.create(principal, body);
  }

  @Get()
  @ApiOperation({ summary: "This organisation's API keys, live, expired and revoked (never their secrets)" })
  @ApiPageResponse(ApiKeyDto)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto) {
    return this.keys.list(principal, query.cursor, query.limit);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key: it stops working at once' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(404)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id', IdParam()) id: string) {
    await this.keys.revoke(principal, id);
  }
}
