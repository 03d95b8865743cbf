import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { createRootLogger, DEMO_PASSWORD, type HubConfig, loadConfig } from '#common';
import { createApp } from '#hub/create-app.js';
import { DEMO_OPERATOR_EMAIL, DEMO_ORGANISATIONS, demoEmail, seedDemo } from '#hub/demo-seed.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export type DemoOrgSlug = (typeof DEMO_ORGANISATIONS)[number]['slug'];

export interface TestHub {
  app: NestFastifyApplication;
  db: TestDatabase;
  config: HubConfig;
  /** Supertest against the running app. */
  http(): ReturnType<typeof request>;
  login(email: string, password?: string): Promise<{ accessToken: string; refreshToken: string }>;
  /** Pre-minted access tokens of the demo users: `token('northbank', 'viewer')`, `token('operator')`. */
  token(slug: DemoOrgSlug | 'operator', role?: string): string;
  orgId(slug: DemoOrgSlug): string;
  /** The user id behind a pre-minted token. */
  userId(slug: DemoOrgSlug, role: string): string;
  /** A raw connection as the application role, for proofs below the API. */
  appClient(): Promise<pg.Client>;
  close(): Promise<void>;
}

/** The real app on a fresh, migrated, demo-seeded PostgreSQL database, with tokens made once per suite. */
export async function startTestHub(env: Record<string, string> = {}): Promise<TestHub> {
  const db = await createTestDatabase();
  const config = loadConfig({
    HUB_MODE: 'test',
    DATABASE_URL: db.appUrl,
    MIGRATION_DATABASE_URL: db.ownerUrl,
    // HUB_TEST_LOG_LEVEL=error shows an unexpected error's log line (stack, PostgreSQL code) behind a 500.
    LOG_LEVEL: process.env.HUB_TEST_LOG_LEVEL ?? 'silent',
    LOGIN_MAX_FAILURES: '1000',
    // Each test hub seals its key ring under a key of its own.
    HUB_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    ...env,
  });
  const app = await createApp({ config, logger: createRootLogger(config.logLevel), appUrl: db.appUrl });
  await seedDemo(app, db.ownerUrl);
  const http = () => request(app.getHttpServer());
  const login = async (email: string, password = DEMO_PASSWORD) => {
    const res = await http().post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { accessToken: string; refreshToken: string };
  };

  const tokens = new Map<string, string>();
  const orgIds = new Map<string, string>();
  const userIds = new Map<string, string>();
  tokens.set('operator', (await login(DEMO_OPERATOR_EMAIL)).accessToken);
  for (const org of DEMO_ORGANISATIONS) {
    const roles = org.kind === 'coordinator' ? ['admin', 'coordinator', 'handler', 'viewer'] : ['admin', 'handler', 'viewer'];
    for (const role of roles) {
      const token = (await login(demoEmail(org.slug, role))).accessToken;
      tokens.set(`${org.slug}/${role}`, token);
      userIds.set(`${org.slug}/${role}`, (await http().get('/api/v1/me').set('authorization', `Bearer ${token}`)).body.id);
    }
    const me = await http().get('/api/v1/me').set('authorization', `Bearer ${tokens.get(`${org.slug}/admin`)}`);
    orgIds.set(org.slug, me.body.organisation.id);
  }

  const clients: pg.Client[] = [];
  return {
    app,
    db,
    config,
    http,
    login,
    token: (slug, role) => {
      const token = tokens.get(slug === 'operator' ? 'operator' : `${slug}/${role}`);
      if (!token) throw new Error(`no demo token for ${slug}/${role}`);
      return token;
    },
    orgId: (slug) => orgIds.get(slug) as string,
    userId: (slug, role) => {
      const id = userIds.get(`${slug}/${role}`);
      if (!id) throw new Error(`no demo user ${slug}/${role}`);
      return id;
    },
    appClient: async () => {
      const client = new pg.Client({ connectionString: db.appUrl });
      await client.connect();
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const client of clients) await client.end().catch(() => undefined);
      await app.close();
      await db.drop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
