import { Injectable, type OnModuleInit } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { NO_TENANT, TenantDatabase } from '#database';

export const ACCESS_TOKEN_ALG = 'EdDSA';
const RELOAD_EVERY_MS = 60_000;
const RELOAD_AT_MOST_EVERY_MS = 10_000;

interface KeyRow {
  kid: string;
  public_jwk: JWK;
  private_jwk: JWK;
}

/**
 * The Ed25519 keys that sign access tokens. Generated on first start and kept in the database (never in
 * the repository), so every hub process signs and verifies with the same set; `kid` is the JWK thumbprint.
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private current?: { kid: string; key: CryptoKey };
  private verifying = new Map<string, CryptoKey>();
  private loadedAt = 0;

  constructor(private readonly db: TenantDatabase) {}

  async onModuleInit(): Promise<void> {
    await this.load();
    if (!this.current) {
      await this.generate();
      await this.load();
    }
  }

  signingKey(): { kid: string; key: CryptoKey } {
    if (!this.current) throw new Error('signing keys are not loaded');
    return this.current;
  }

  /**
   * The key set is re-read every minute (so a key retired elsewhere stops verifying) and on an unknown
   * kid (a key another process just created), but never more than once in ten seconds, so made-up kids
   * cannot turn each request into a database read.
   */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    const age = Date.now() - this.loadedAt;
    if (age > RELOAD_EVERY_MS || (!this.verifying.has(kid) && age > RELOAD_AT_MOST_EVERY_MS)) await this.load();
    return this.verifying.get(kid);
  }

  private async load(): Promise<void> {
    const rows = await this.db.run(NO_TENANT, (tx) =>
      tx.query<KeyRow>(
        `SELECT kid, public_jwk, private_jwk FROM signing_keys
          WHERE purpose = 'access-token' AND retired_at IS NULL ORDER BY created_at DESC, kid`,
      ),
    );
    const next = new Map<string, CryptoKey>();
    for (const row of rows) {
      next.set(row.kid, this.verifying.get(row.kid) ?? ((await importJWK(row.public_jwk, ACCESS_TOKEN_ALG)) as CryptoKey));
    }
    this.verifying = next;
    this.loadedAt = Date.now();
    const newest = rows[0];
    if (newest && this.current?.kid !== newest.kid) {
      this.current = { kid: newest.kid, key: (await importJWK(newest.private_jwk, ACCESS_TOKEN_ALG)) as CryptoKey };
    }
  }

  private async generate(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    await this.db.run(NO_TENANT, (tx) =>
      tx.query(
        `INSERT INTO signing_keys (kid, purpose, alg, public_jwk, private_jwk)
         VALUES ($1, 'access-token', $2, $3, $4) ON CONFLICT (kid) DO NOTHING`,
        [kid, ACCESS_TOKEN_ALG, { ...publicJwk, kid, alg: ACCESS_TOKEN_ALG, use: 'sig' }, { ...privateJwk, kid }],
      ),
    );
  }
}
