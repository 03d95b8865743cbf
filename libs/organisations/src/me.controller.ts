import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyPrincipal, CurrentPrincipal, type Principal, tenantContextOf } from '#auth';
import { ApiErrors, HubException } from '#common';
import { TenantDatabase } from '#database';
import { MeView } from './dto/views.dto.js';
import { OrganisationEntity } from './organisation.entity.js';
import { UserEntity } from './user.entity.js';
import { organisationView } from './views.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('api/v1/me')
export class MeController {
  constructor(private readonly db: TenantDatabase) {}

  @Get()
  @AnyPrincipal()
  @ApiOperation({ summary: 'Who you are: your user (or key), roles and organisation' })
  @ApiOkResponse({ type: MeView })
  @ApiErrors(401)
  async me(@CurrentPrincipal() principal: Principal) {
    if (principal.kind === 'operator') {
      return { kind: 'operator', id: principal.id, email: principal.email, roles: [], organisation: null };
    }
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const org = await tx.repository(OrganisationEntity).findOneBy({ id: principal.orgId });
      if (!org) throw HubException.notFound('organisation');
      const user = principal.kind === 'user' ? await tx.repository(UserEntity).findOneBy({ id: principal.id }) : null;
      return {
        kind: principal.kind,
        id: principal.id,
        email: user?.email ?? null,
        displayName: user?.displayName ?? null,
        roles: principal.roles,
        organisation: organisationView(org, true),
      };
    });
  }
}
