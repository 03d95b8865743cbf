import { ApiProperty } from '@nestjs/swagger';

export class TokenPairDto {
  @ApiProperty({ description: 'EdDSA-signed JWT; send as `Authorization: Bearer <token>`.' })
  accessToken: string;

  @ApiProperty({ description: 'Opaque, single-use; exchange at /api/v1/auth/refresh for a new pair.' })
  refreshToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires.' })
  expiresIn: number;
}
