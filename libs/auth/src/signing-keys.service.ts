import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { CryptoKey } from 'jose';
import { type KeyRing, KeyRings } from './key-ring.js';

export const ACCESS_TOKEN_ALG = 'EdDSA';

/**
 * The Ed25519 keys that sign access tokens: the `access-token` ring of the key ring, so every hub process
 * signs with the newest key and verifies with any key of the ring, retired ones included; `kid` is the JWK
 * thumbprint. Generated on first start, kept in the database with the private half sealed.
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private readonly ring: KeyRing;

  constructor(rings: KeyRings) {
    this.ring = rings.ring('access-token');
  }

  async onModuleInit(): Promise<void> {
    await this.ring.reload();
  }

  signingKey(): { kid: string; key: CryptoKey } {
    return this.ring.signingKey();
  }

  verificationKey(kid: string): Promise<CryptoKey | undefined> {
    return this.ring.verificationKey(kid);
  }
}
