import { randomBytes } from 'node:crypto';
import { kekId, openPrivateJwk, sealPrivateJwk } from './key-ring.js';

describe('sealed private keys', () => {
  const kek = randomBytes(32);
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'public-part', d: 'private-part', kid: 'kid-1' };

  it('round-trips under the same key, purpose and kid, and holds no part of the key in clear', () => {
    const sealed = sealPrivateJwk(kek, 'access-token', 'kid-1', jwk);
    expect(sealed.toString('latin1')).not.toContain('private-part');
    expect(openPrivateJwk(kek, 'access-token', 'kid-1', sealed)).toEqual(jwk);
  });

  it('does not open under another key-encryption key, nor moved to another kid or purpose', () => {
    const sealed = sealPrivateJwk(kek, 'access-token', 'kid-1', jwk);
    expect(() => openPrivateJwk(randomBytes(32), 'access-token', 'kid-1', sealed)).toThrow();
    expect(() => openPrivateJwk(kek, 'access-token', 'kid-2', sealed)).toThrow();
    expect(() => openPrivateJwk(kek, 'feed', 'kid-1', sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => openPrivateJwk(kek, 'access-token', 'kid-1', tampered)).toThrow();
  });

  it('names a key-encryption key without revealing it', () => {
    expect(kekId(kek)).toMatch(/^[0-9a-f]{16}$/);
    expect(kekId(kek)).not.toEqual(kekId(randomBytes(32)));
    expect(kek.toString('hex')).not.toContain(kekId(kek));
  });
});
