import { formatSecretToken, hashSecret, mintSecret, parseSecretToken, secretMatches } from './secret-token.js';

const org = '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f';
const id = '0b5f6c7d-8e9f-4d3c-9a4e-1f0b2c1d9a7e';

describe('secret tokens', () => {
  it('round-trips scope, id and secret', () => {
    const secret = mintSecret();
    const token = formatSecretToken('hubr', { scope: org, id, secret });
    expect(parseSecretToken('hubr', token)).toEqual({ scope: org, id, secret });
  });

  it('refuses another prefix, a bad scope or a short secret', () => {
    const secret = mintSecret();
    expect(parseSecretToken('hubk', formatSecretToken('hubr', { scope: org, id, secret }))).toBeNull();
    expect(parseSecretToken('hubr', `hubr.nope.${id}.${secret}`)).toBeNull();
    expect(parseSecretToken('hubr', `hubr.${org}.${id}.short`)).toBeNull();
  });

  it('matches only the secret that was hashed', () => {
    const secret = mintSecret();
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
    expect(secretMatches(mintSecret(), hashSecret(secret))).toBe(false);
  });
});
