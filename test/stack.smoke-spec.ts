import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource, Entity, PrimaryColumn } from 'typeorm';
import { SignJWT, generateKeyPair, jwtVerify, exportJWK, calculateJwkThumbprint } from 'jose';
import { AbilityBuilder, createMongoAbility } from '@casl/ability';

// The first suite CI runs: it proves the runtime can load the ESM-only stack before anything else is tried.

@Controller('smoke')
class SmokeController {
  @Get()
  hello() {
    return { ok: true, node: process.versions.node };
  }
}

@Module({ controllers: [SmokeController] })
class SmokeModule {}

@Entity('smoke_probe')
class SmokeProbe {
  @PrimaryColumn('uuid')
  id: string;
}

describe('the stack loads under Jest', () => {
  it('runs on Node 24 or later', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('serves a NestJS controller on Fastify through Supertest', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SmokeModule] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const res = await request(app.getHttpServer()).get('/smoke').expect(200);
    expect(res.body.ok).toBe(true);
    await app.close();
  });

  it('builds TypeORM entity metadata for PostgreSQL', async () => {
    // Metadata is built without a connection; the database suites prove the rest.
    const dataSource = new DataSource({ type: 'postgres', entities: [SmokeProbe] });
    await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    expect(dataSource.getMetadata(SmokeProbe).tableName).toBe('smoke_probe');
  });

  it('signs and verifies an EdDSA token with jose, kid = JWK thumbprint', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
    const token = await new SignJWT({ scope: 'smoke' })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject('user-1')
      .setExpirationTime('1m')
      .sign(privateKey);
    const { payload, protectedHeader } = await jwtVerify(token, publicKey);
    expect(payload.sub).toBe('user-1');
    expect(protectedHeader.kid).toBe(kid);
  });

  it('answers a CASL ability check', () => {
    const { can, build } = new AbilityBuilder(createMongoAbility);
    can('read', 'Incident', { orgId: 'org-a' });
    const ability = build();
    expect(ability.can('read', { __caslSubjectType__: 'Incident', orgId: 'org-a' } as never)).toBe(true);
    expect(ability.can('read', { __caslSubjectType__: 'Incident', orgId: 'org-b' } as never)).toBe(false);
  });
});
