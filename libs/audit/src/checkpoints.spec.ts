import { createPublicKey, verify } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { CHECKPOINT_TYPE, checkpointSubject, checkpointView, signCheckpoint } from './checkpoints.js';

describe('a log checkpoint', () => {
  it('is a compact JWS that node:crypto verifies with the public JWK alone, naming its key by thumbprint', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const claims = {
      jti: '11111111-1111-4111-8111-111111111111',
      sub: checkpointSubject({ type: 'joint_incident', id: '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f' }),
      org: '22222222-2222-4222-8222-222222222222',
      length: 7,
      head: 'c'.repeat(64),
      hashAlg: 'sha-256' as const,
      iat: 1_795_000_000,
    };
    const jws = await signCheckpoint(claims, { kid, key: privateKey }, 'EdDSA');
    const [header, payload, signature] = jws.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'EdDSA', kid, typ: CHECKPOINT_TYPE });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({ ...claims, sub: 'joint_incident:8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f' });
    const key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    expect(verify(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))).toBe(true);
    const forged = Buffer.from(JSON.stringify({ ...claims, length: 8 })).toString('base64url');
    expect(verify(null, Buffer.from(`${header}.${forged}`), key, Buffer.from(signature, 'base64url'))).toBe(false);
  });

  it("shows who asked for it to the chain's owner only", () => {
    const row = {
      id: '11111111-1111-4111-8111-111111111111',
      subject_type: 'incident' as const,
      subject_id: '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f',
      org_id: 'owner',
      length: 3,
      head_hash: 'c'.repeat(64),
      kid: 'k',
      jws: 'a.b.c',
      created_at: new Date('2026-11-25T12:00:00Z'),
      created_by: 'user-1',
    };
    expect(checkpointView(row, 'owner')).toMatchObject({ subject: { type: 'incident', id: row.subject_id }, createdBy: 'user-1', createdAt: '2026-11-25T12:00:00.000Z' });
    expect(checkpointView(row, 'recipient').createdBy).toBeNull();
  });
});
