import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque credentials (refresh tokens, API keys) read `prefix.scope.id.secret`: the scope is the
 * organisation (or `op` for an operator) so the lookup runs inside that tenant; only a hash of the secret is stored.
 */
export interface SecretToken {
  scope: string;
  id: string;
  secret: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export function mintSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function formatSecretToken(prefix: string, token: SecretToken): string {
  return `${prefix}.${token.scope}.${token.id}.${token.secret}`;
}

export function parseSecretToken(prefix: string, value: string): SecretToken | null {
  const match = new RegExp(`^${prefix}\\.(${UUID}|op)\\.(${UUID})\\.([A-Za-z0-9_-]{43})$`).exec(value);
  return match ? { scope: match[1], id: match[2], secret: match[3] } : null;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}
