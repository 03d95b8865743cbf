import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secrets and the database's own guard.
 *
 * The key ring replaces `signing_keys`, which held private JWKs in clear where the application role could
 * read and rewrite them: one ring per purpose ('access-token' now, 'feed' later), `kid` = the JWK thumbprint,
 * the public JWK in clear, the private JWK sealed with AES-256-GCM under a key-encryption key that only the
 * hub processes hold (from configuration, never in the database). `hub_app` may read rows and add keys; it
 * may not change, date, retire or delete them: those are the owner role's. A retired key signs nothing new
 * and stays listed, so what it signed stays verifiable. The old private keys are not carried over (the
 * migration has no key-encryption key to seal them with): their public halves come across retired, so access
 * tokens they signed verify until they expire, and each hub generates a sealed key on its next start.
 */
export class KeyRingAndFieldGuard1764316800000 implements MigrationInterface {
  name = 'KeyRingAndFieldGuard1764316800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE key_ring (
        kid text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('access-token', 'feed')),
        alg text NOT NULL,
        public_jwk jsonb NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object' AND NOT public_jwk ? 'd'),
        -- 0x01 || IV || GCM tag || ciphertext, with purpose and kid as associated data; NULL only for a key
        -- known by its public half (carried over from signing_keys), which can never sign again.
        private_jwk_sealed bytea,
        -- Which key-encryption key sealed it (a hash-derived name, not the key), so a process with another
        -- KEK refuses to sign instead of failing on every token.
        kek_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        CHECK (private_jwk_sealed IS NOT NULL OR retired_at IS NOT NULL),
        CHECK ((private_jwk_sealed IS NULL) = (kek_id IS NULL))
      );
      CREATE INDEX key_ring_purpose_idx ON key_ring (purpose, created_at DESC);
      INSERT INTO key_ring (kid, purpose, alg, public_jwk, created_at, retired_at)
        SELECT kid, purpose, alg, public_jwk - 'd', created_at, coalesce(retired_at, now()) FROM signing_keys;
      DROP TABLE signing_keys;
      -- Column privileges: created_at and retired_at take their defaults, so the application cannot post-date
      -- a key to keep it newest, nor insert one already retired; no UPDATE or DELETE at all.
      GRANT SELECT ON key_ring TO hub_app;
      GRANT INSERT (kid, purpose, alg, public_jwk, private_jwk_sealed, kek_id) ON key_ring TO hub_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('access-token')),
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      );
      GRANT SELECT, INSERT, UPDATE ON signing_keys TO hub_app;
      DROP TABLE key_ring;
    `);
  }
}
