import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createRootLogger, loadConfig, MAX_LOGGED_CHARS } from '#common';
import { createApp } from '#hub/create-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** pino's levels: 30 info, 40 warn, 50 error. */
const ERROR_LEVEL = 50;

describe('request logging of client errors', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  const lines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({
      HUB_MODE: 'test',
      DATABASE_URL: db.appUrl,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      LOG_LEVEL: 'info',
      HUB_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    app = await createApp({ config, logger: createRootLogger('info', sink), appUrl: db.appUrl });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('logs an 8 KB URL that answers 414 below error level, without a stack, and cut to a bounded length', async () => {
    const longId = 'a'.repeat(8 * 1024 + 17);
    lines.length = 0;
    const res = await request(app.getHttpServer()).get(`/api/v1/incidents/${longId}?q=${'b'.repeat(2000)}`);
    expect(res.status).toBe(414);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
    // Nor does the answer echo the whole URL back.
    expect(JSON.stringify(res.body).length).toBeLessThan(2 * MAX_LOGGED_CHARS);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(0);
    for (const [i, entry] of entries.entries()) {
      expect({ level: entry.level, msg: entry.msg }).toEqual({ level: expect.any(Number), msg: expect.anything() });
      expect(entry.level as number).toBeLessThan(ERROR_LEVEL);
      expect(lines[i]).not.toMatch(/"stack"|"trace"/);
      expect(lines[i]).not.toContain('a'.repeat(MAX_LOGGED_CHARS + 1));
      expect(lines[i].length).toBeLessThan(4 * MAX_LOGGED_CHARS);
    }
    // The URL is still there, cut, so the line says which request it was.
    expect(lines.join('\n')).toContain(`/api/v1/incidents/${'a'.repeat(100)}`);
    expect(entries.some((e) => (e.level as number) >= 40 || JSON.stringify(e).includes('414'))).toBe(true);
  });

  it('still logs an unexpected error at error level with its stack', async () => {
    const logger = createRootLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    lines.length = 0;
    logger.error({ err: new Error('x'.repeat(5000)) }, 'unexpected error');
    const [entry] = lines.map((line) => JSON.parse(line));
    expect(entry.level).toBe(ERROR_LEVEL);
    expect(entry.err.stack).toContain('Error:');
    expect(entry.err.message.length).toBeLessThanOrEqual(MAX_LOGGED_CHARS + 20);
  });
});
