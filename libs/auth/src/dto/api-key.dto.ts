import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import type { ApiKeysService, ApiKeyView } from '../api-keys.service.js';

/** An API key as its organisation's admins see it: never the secret, which is shown once at creation. */
export class ApiKeyDto implements ApiKeyView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ['handler', 'viewer'], isArray: true })
  roles: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expiresAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  revokedAt: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself, shown this once: send it as `x-api-key` or `Authorization: Bearer <key>`.' })
  key: string;
}

true satisfies Describes<CreatedApiKeyDto, Awaited<ReturnType<ApiKeysService['create']>>>;
