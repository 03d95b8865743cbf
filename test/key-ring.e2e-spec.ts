import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import pg from 'pg';
import { KeyRings } from '#auth';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

describe('the key ring', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  async function asOwner<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: hub.db.ownerUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  it('keeps private keys only sealed: the application role reads ciphertext, never a private JWK', async () => {
    const app = await hub.appClient();
    const { rows } = await app.query("SELECT purpose, kid, public_jwk, private_jwk_sealed FROM key_ring WHERE purpose = 'access-token'");
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.public_jwk).not.toHaveProperty('d');
      expect(Buffer.isBuffer(row.private_jwk_sealed)).toBe(true);
      expect(row.private_jwk_sealed.toString('latin1')).not.toMatch(/"d"|"kty"|OKP|Ed25519/);
    }
    // The old table with private keys in clear is gone.
    await expect(app.query('SELECT * FROM signing_keys')).rejects.toThrow(/does not exist/);
  });

  it('lets the application role add keys but not change, retire, date or delete them', async () => {
    const app = await hub.appClient();
    await expect(app.query("UPDATE key_ring SET retired_at = now() WHERE purpose = 'access-token'")).rejects.toThrow(/permission denied/);
    await expect(app.query("UPDATE key_ring SET public_jwk = '{}' WHERE purpose = 'access-token'")).rejects.toThrow(/permission denied/);
    await expect(app.query('DELETE FROM key_ring')).rejects.toThrow(/permission denied/);
    await expect(
      app.query(
        `INSERT INTO key_ring (purpose, kid, alg, public_jwk, private_jwk_sealed, kek_id, created_at)
         VALUES ('access-token', 'x', 'EdDSA', '{}', '\\x00', 'k', now() + interval '1 year')`,
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('signs with the newest unretired key and still verifies tokens of a retired one', async () => {
    const before = await hub.login('viewer@northbank.demo');
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    await asOwner((owner) => owner.query("UPDATE key_ring SET retired_at = now() WHERE purpose = 'access-token' AND retired_at IS NULL"));
    await hub.app.get(KeyRings).ring('access-token').reload();

    const after = await hub.login('viewer@northbank.demo');
    const newKid = decodeProtectedHeader(after.accessToken).kid;
    expect(newKid).not.toEqual(oldKid);
    await hub.http().get('/api/v1/me').set(bearer(after.accessToken)).expect(200);
    // A retired key signs nothing new, but what it signed stays verifiable (until the token expires).
    await hub.http().get('/api/v1/me').set(bearer(before.accessToken)).expect(200);
    const kids = await asOwner(async (owner) => (await owner.query("SELECT kid, retired_at FROM key_ring WHERE purpose = 'access-token'")).rows);
    expect(kids).toEqual(expect.arrayContaining([expect.objectContaining({ kid: oldKid, retired_at: expect.any(Date) })]));
  });

  it('refuses a token the hub did not issue as it issues them: longer-lived than the configured lifetime, or issued ahead', async () => {
    // Signed with the hub's own current key: what a leaked key could mint. Only the lifetime differs.
    const issued = decodeJwt((await hub.login('viewer@northbank.demo')).accessToken);
    const { kid, key } = hub.app.get(KeyRings).ring('access-token').signingKey();
    const now = Math.floor(Date.now() / 1000);
    const mint = (iat: number, exp: number) =>
      new SignJWT({ typ: 'user', org: issued.org, sid: issued.sid })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
        .setIssuer(issued.iss as string)
        .setAudience(issued.aud as string)
        .setSubject(issued.sub as string)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
    const ttl = hub.config.accessTokenTtlSeconds;
    await hub.http().get('/api/v1/me').set(bearer(await mint(now, now + ttl))).expect(200);
    await hub.http().get('/api/v1/me').set(bearer(await mint(now, now + 365 * 24 * 3600))).expect(401);
    await hub.http().get('/api/v1/me').set(bearer(await mint(now + 3600, now + 3600 + ttl))).expect(401);
  });

  it('refuses to sign with a key sealed under another key-encryption key', async () => {
    const { createApp } = await import('#hub/create-app.js');
    const { createRootLogger, loadConfig } = await import('#common');
    const config = loadConfig({
      HUB_MODE: 'test',
      DATABASE_URL: hub.db.appUrl,
      MIGRATION_DATABASE_URL: hub.db.ownerUrl,
      LOG_LEVEL: 'silent',
      HUB_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64url'),
    });
    await expect(createApp({ config, logger: createRootLogger('silent'), appUrl: hub.db.appUrl })).rejects.toThrow(
      /another key-encryption key.*HUB_KEY_ENCRYPTION_KEY/,
    );
  });
});
