import { Inject, Injectable } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { HUB_CONFIG, type HubConfig } from '#common';
import { NO_TENANT, TenantDatabase } from '#database';

/** What a key of the ring is for; each purpose is its own ring (feeds add 'feed'; the management log signs its checkpoints). */
export type KeyPurpose = 'access-token' | 'feed' | 'log-checkpoint';

const ALG_OF: Record<KeyPurpose, 'EdDSA'> = { 'access-token': 'EdDSA', feed: 'EdDSA', 'log-checkpoint': 'EdDSA' };
const RELOAD_EVERY_MS = 60_000;
const RELOAD_AT_MOST_EVERY_MS = 10_000;

/** Sealed form, version 1: 0x01 ‖ 12-byte IV ‖ 16-byte GCM tag ‖ ciphertext. */
const SEAL_VERSION = 1;

/** Binds a ciphertext to its row: a sealed key moved to another kid or purpose does not open. */
function aad(purpose: KeyPurpose, kid: string): Buffer {
  return Buffer.from(`hub-key-ring/v1\n${purpose}\n${kid}`, 'utf8');
}

/** Names a key-encryption key without revealing it, so a row says which KEK sealed it. */
export function kekId(kek: Buffer): string {
  return createHash('sha256').update('hub-kek-id').update(kek).digest('hex').slice(0, 16);
}

/** AES-256-GCM under the key-encryption key, with purpose and kid as associated data. */
export function sealPrivateJwk(kek: Buffer, purpose: KeyPurpose, kid: string, jwk: JWK): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(aad(purpose, kid));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([SEAL_VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Opens a sealed private key; throws if the KEK, purpose or kid differ from those it was sealed with. */
export function openPrivateJwk(kek: Buffer, purpose: KeyPurpose, kid: string, sealed: Buffer): JWK {
  if (sealed.length < 29 || sealed[0] !== SEAL_VERSION) throw new Error(`key ${kid} is not sealed in a form this hub reads`);
  const decipher = createDecipheriv('aes-256-gcm', kek, sealed.subarray(1, 13));
  decipher.setAAD(aad(purpose, kid));
  decipher.setAuthTag(sealed.subarray(13, 29));
  return JSON.parse(Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8')) as JWK;
}

interface KeyRow {
  kid: string;
  public_jwk: JWK;
  private_jwk_sealed: Buffer | null;
  kek_id: string | null;
  retired_at: Date | null;
}

/**
 * The keys of one purpose, kept in `key_ring`: the newest unretired key signs; every key of the ring verifies,
 * retired ones included (a retired key signs nothing new, but what it signed stays verifiable). `kid` is the
 * JWK thumbprint; the private half is stored sealed under the key-encryption key from configuration, so the
 * database (and anyone who reads it as the application role) holds ciphertext only.
 */
export class KeyRing {
  private current?: { kid: string; key: CryptoKey };
  private verifying = new Map<string, CryptoKey>();
  private loadedAt = 0;

  constructor(
    private readonly db: TenantDatabase,
    private readonly kek: Buffer,
    readonly purpose: KeyPurpose,
  ) {}

  get alg(): 'EdDSA' {
    return ALG_OF[this.purpose];
  }

  signingKey(): { kid: string; key: CryptoKey } {
    if (!this.current) throw new Error(`the ${this.purpose} key ring is not loaded`);
    return this.current;
  }

  /**
   * The ring is re-read every minute (so a key retired or added elsewhere is seen) and on an unknown kid (a
   * key another process just created), but never more than once in ten seconds, so made-up kids cannot turn
   * each request into a database read.
   */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    const age = Date.now() - this.loadedAt;
    if (age > RELOAD_EVERY_MS || (!this.verifying.has(kid) && age > RELOAD_AT_MOST_EVERY_MS)) await this.reload();
    return this.verifying.get(kid);
  }

  /** Reads the ring; generates a key when none is left to sign with (first start, or all retired). */
  async reload(): Promise<void> {
    let rows = await this.read();
    if (!rows.some((row) => row.retired_at === null)) {
      await this.generate();
      rows = await this.read();
    }
    const next = new Map<string, CryptoKey>();
    for (const row of rows) {
      next.set(row.kid, this.verifying.get(row.kid) ?? ((await importJWK(row.public_jwk, this.alg)) as CryptoKey));
    }
    this.verifying = next;
    this.loadedAt = Date.now();
    const newest = rows.find((row) => row.retired_at === null);
    if (newest && this.current?.kid !== newest.kid) this.current = { kid: newest.kid, key: await this.open(newest) };
  }

  private read(): Promise<KeyRow[]> {
    return this.db.run(NO_TENANT, (tx) =>
      tx.query<KeyRow>(
        `SELECT kid, public_jwk, private_jwk_sealed, kek_id, retired_at FROM key_ring
          WHERE purpose = $1 ORDER BY retired_at IS NULL DESC, created_at DESC, kid`,
        [this.purpose],
      ),
    );
  }

  /** Fails closed: a process with another KEK must not sign, nor quietly start a ring of its own. */
  private async open(row: KeyRow): Promise<CryptoKey> {
    const mine = kekId(this.kek);
    if (!row.private_jwk_sealed || row.kek_id !== mine) {
      throw new Error(
        `the newest ${this.purpose} key (${row.kid}) is sealed under another key-encryption key (${row.kek_id ?? 'none'}, this process has ${mine}): ` +
          'set HUB_KEY_ENCRYPTION_KEY to the key the other hub processes use, or retire that key as the owner role to start a new one',
      );
    }
    return (await importJWK(openPrivateJwk(this.kek, this.purpose, row.kid, row.private_jwk_sealed), this.alg)) as CryptoKey;
  }

  private async generate(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(this.alg, { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const sealed = sealPrivateJwk(this.kek, this.purpose, kid, { ...(await exportJWK(privateKey)), kid });
    await this.db.run(NO_TENANT, (tx) =>
      tx.query(
        `INSERT INTO key_ring (purpose, kid, alg, public_jwk, private_jwk_sealed, kek_id)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [this.purpose, kid, this.alg, { ...publicJwk, kid, alg: this.alg, use: 'sig' }, sealed, kekId(this.kek)],
      ),
    );
  }
}

/** One key ring per purpose, sharing the process's key-encryption key. */
@Injectable()
export class KeyRings {
  private readonly rings = new Map<KeyPurpose, KeyRing>();

  constructor(
    private readonly db: TenantDatabase,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  ring(purpose: KeyPurpose): KeyRing {
    let ring = this.rings.get(purpose);
    if (!ring) {
      const kek = this.config.keyEncryptionKey;
      if (!kek) {
        throw new Error('no key-encryption key: set HUB_KEY_ENCRYPTION_KEY, or start through main, which keeps one in HUB_DATA_DIR outside production');
      }
      ring = new KeyRing(this.db, kek, purpose);
      this.rings.set(purpose, ring);
    }
    return ring;
  }
}
