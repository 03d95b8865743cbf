import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createRootLogger, DEMO_PASSWORD, loadConfig } from '#common';
import { createApp } from '#hub/create-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

type Schema = {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
};
type Response = { description?: string; content?: Record<string, { schema?: Schema }> };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  responses: Record<string, Response | { $ref: string }>;
};
type Document = { servers?: { url: string }[]; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/** Where the suite writes the document it lints: `npm run lint:openapi` leaves it there for client generators. */
const DOCUMENT_FILE = 'dist/openapi.json';
const VERBS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** The probes answer no 4xx: they take no input and no credential. redocly.yaml's ignore file says the same. */
const NO_CLIENT_ERRORS = new Set(['health_live', 'health_ready']);

/**
 * The OpenAPI document is what partners and the web client generate their types from: every operation must
 * say what it answers (a schema for its 2xx, the error shape for its 4xx and 5xx), its summary and its
 * security; the schemas must match what the hub really sends; and `redocly lint` must pass with no warning.
 */
describe('the OpenAPI document', () => {
  let hub: TestHub;
  let document: Document;
  const operations = () =>
    Object.entries(document.paths).flatMap(([route, item]) =>
      VERBS.filter((verb) => item[verb]).map((verb) => ({ name: `${verb.toUpperCase()} ${route}`, operation: item[verb] })),
    );

  beforeAll(async () => {
    hub = await startTestHub();
    const res = await hub.http().get('/api/docs-json');
    expect(res.status).toBe(200);
    document = res.body as Document;
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('describes the 2xx answer of every operation with a JSON schema (a 204 has no body)', () => {
    const lacking = operations().filter(({ operation }) => {
      const success = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) return true;
      return success.some(([status, response]) => status !== '204' && !('content' in response && response.content?.['application/json']?.schema));
    });
    expect(lacking.map((o) => o.name)).toEqual([]);
    expect(operations().length).toBeGreaterThanOrEqual(47);
  });

  it('gives every operation a summary, a tag and a unique, readable operationId', () => {
    const ops = operations();
    expect(ops.filter(({ operation }) => !operation.summary?.trim()).map((o) => o.name)).toEqual([]);
    expect(ops.filter(({ operation }) => !operation.tags?.length).map((o) => o.name)).toEqual([]);
    const ids = ops.map(({ operation }) => operation.operationId ?? '');
    expect(ids.filter((id) => !/^[a-z][A-Za-z]*_[a-z][A-Za-z]*$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.servers?.length).toBeGreaterThan(0);
  });

  it("states every operation's security as its access rule enforces it", () => {
    const security = new Map(operations().map(({ operation }) => [operation.operationId, operation.security]));
    expect(operations().filter(({ operation }) => !Array.isArray(operation.security)).map((o) => o.name)).toEqual([]);
    // Public: nothing to send.
    for (const id of ['auth_login', 'auth_refresh', 'health_live', 'health_ready']) expect(security.get(id)).toEqual([]);
    // Users and API keys alike.
    for (const id of ['incidents_list', 'eventReports_submit', 'sharedIncidents_list', 'me_me', 'taxonomy_categories']) {
      expect(security.get(id)).toEqual([{ bearer: [] }, { apiKey: [] }]);
    }
    // Signed-in users only (admins, the operator): an API key is refused.
    for (const id of ['users_list', 'apiKeys_create', 'pointsOfContact_create', 'organisations_create']) {
      expect(security.get(id)).toEqual([{ bearer: [] }]);
    }
  });

  it('documents the errors each operation can answer, all with the one error shape', () => {
    const problems: string[] = [];
    for (const { name, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      const errors = statuses.filter((s) => /^[45]\d\d$/.test(s) && !(operation.operationId === 'health_ready' && s === '503'));
      if (!NO_CLIENT_ERRORS.has(operation.operationId!) && !errors.some((s) => s.startsWith('4'))) problems.push(`${name}: no 4xx`);
      if (!statuses.includes('500')) problems.push(`${name}: no 500`);
      if (operation.security?.length && !statuses.includes('401')) problems.push(`${name}: secured but no 401`);
      if (operation.requestBody && !['400', '413', '415'].every((s) => statuses.includes(s))) problems.push(`${name}: a body but not 400, 413 and 415`);
      for (const status of errors) {
        const schema = (operation.responses[status] as Response).content?.['application/json']?.schema;
        if (schema?.$ref !== '#/components/schemas/Error') problems.push(`${name}: ${status} is not the Error shape`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('never carries the demo password', () => {
    expect(JSON.stringify(document)).not.toContain(DEMO_PASSWORD);
  });

  it('describes what the hub really answers: every property it sends is in the schema, with its type', async () => {
    const handler = bearer(hub.token('northbank', 'handler'));
    const incident = await hub
      .http()
      .post('/api/v1/incidents')
      .set(handler)
      .send({ title: 'Phishing wave', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER', reporter: { name: 'Ann' } });
    expect(incident.status).toBe(201);
    const id = incident.body.id as string;
    const coordinator = hub.orgId('national-csirt');
    const release = await hub
      .http()
      .post(`/api/v1/incidents/${id}/releases`)
      .set(handler)
      .send({ recipients: [{ kind: 'organisation', id: coordinator }], fields: ['reporter'], redact: { title: 'pseudonymise' } });
    expect(release.status).toBe(201);

    const calls: [string, string, Record<string, string>, number][] = [
      ['GET /api/v1/incidents', '/api/v1/incidents', handler, 200],
      ['GET /api/v1/incidents/{id}', `/api/v1/incidents/${id}`, handler, 200],
      ['GET /api/v1/incidents/{id}/log', `/api/v1/incidents/${id}/log`, handler, 200],
      ['GET /api/v1/incidents/{id}/clocks', `/api/v1/incidents/${id}/clocks`, handler, 200],
      ['GET /api/v1/incidents/{id}/releases', `/api/v1/incidents/${id}/releases`, handler, 200],
      ['GET /api/v1/incidents/{id}/access', `/api/v1/incidents/${id}/access?organisation=${coordinator}`, handler, 200],
      ['GET /api/v1/shared/incidents', '/api/v1/shared/incidents', bearer(hub.token('national-csirt', 'coordinator')), 200],
      ['GET /api/v1/shared/incidents/{id}', `/api/v1/shared/incidents/${id}`, bearer(hub.token('national-csirt', 'coordinator')), 200],
      ['GET /api/v1/me', '/api/v1/me', handler, 200],
      ['GET /api/v1/me', '/api/v1/me', bearer(hub.token('operator')), 200],
      ['GET /api/v1/organisations', '/api/v1/organisations', bearer(hub.token('operator')), 200],
      ['GET /api/v1/organisations/{id}/points-of-contact', `/api/v1/organisations/${coordinator}/points-of-contact`, handler, 200],
      ['GET /api/v1/users', '/api/v1/users', bearer(hub.token('northbank', 'admin')), 200],
      ['GET /api/v1/invitations', '/api/v1/invitations', bearer(hub.token('northbank', 'admin')), 200],
      ['GET /api/v1/incidents/{id}/log/verify', `/api/v1/incidents/${id}/log/verify`, handler, 200],
      ['GET /api/v1/categories', '/api/v1/categories', handler, 200],
      ['GET /api/v1/severities', '/api/v1/severities', handler, 200],
      ['GET /health/ready', '/health/ready', {}, 200],
      ['GET /api/v1/management-review/figures', '/api/v1/management-review/figures?from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z', handler, 200],
      ['GET /api/v1/management-review/joint-figures', '/api/v1/management-review/joint-figures?from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z',
        bearer(hub.token('national-csirt', 'coordinator')), 200],
      // Errors: the one shape, whoever raises it (a module, the validation pipe, the guard, the router).
      ['GET /api/v1/incidents/{id}', '/api/v1/incidents/00000000-0000-4000-8000-000000000000', handler, 404],
      ['GET /api/v1/incidents', '/api/v1/incidents?limit=0', handler, 400],
      ['GET /api/v1/incidents', '/api/v1/incidents', {}, 401],
      ['GET /api/v1/users', '/api/v1/users', handler, 403],
    ];
    const problems: string[] = [];
    for (const [operationName, url, headers, status] of calls) {
      const [verb, route] = operationName.split(' ');
      const res = await hub.http().get(url).set(headers);
      expect(`${url} ${res.status}`).toBe(`${url} ${status}`);
      const schema = (document.paths[route][verb.toLowerCase()].responses[String(status)] as Response).content?.['application/json']?.schema;
      if (!schema) problems.push(`${operationName} ${status}: no schema`);
      else problems.push(...mismatches(document, schema, res.body, `${operationName} ${status}`));
    }
    // The invitation's two answers: issued to the admin, and the user its acceptance creates.
    const invited = await hub.http().post('/api/v1/invitations').set(bearer(hub.token('northbank', 'admin')))
      .send({ email: 'openapi-invitee@northbank.demo', displayName: 'Invitee', roles: ['viewer'] });
    expect(invited.status).toBe(201);
    const accepted = await hub.http().post('/api/v1/auth/invitations/accept').send({ token: invited.body.token, password: 'a-long-enough-password' });
    expect(accepted.status).toBe(201);
    for (const [route, res] of [['/api/v1/invitations', invited], ['/api/v1/auth/invitations/accept', accepted]] as const) {
      const schema = (document.paths[route].post.responses['201'] as Response).content?.['application/json']?.schema;
      if (!schema) problems.push(`POST ${route} 201: no schema`);
      else problems.push(...mismatches(document, schema, res.body, `POST ${route} 201`));
    }
    expect(problems).toEqual([]);
  });

  it('passes redocly lint (recommended rules, redocly.yaml) with no error and no warning, offline', async () => {
    // A fixed path, which .redocly.lint-ignore.yaml names; also the document to generate a client from.
    await mkdir('dist', { recursive: true });
    await writeFile(DOCUMENT_FILE, `${JSON.stringify(document, null, 2)}\n`);
    const result = lintOpenApi(DOCUMENT_FILE);
    // Warnings leave redocly's exit code at 0, so the output must also be free of them.
    expect(result.status).toBe(0);
    expect(result.output).toMatch(/Woohoo! Your API description is valid\./);
    expect(result.output).not.toMatch(/warning|error/i);
  });
});

describe('the API docs in production mode', () => {
  let db: TestDatabase;
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  // Production refuses to start without a key-encryption key; both apps share one database, so one key.
  const keyEncryptionKey = randomBytes(32).toString('base64url');

  async function productionApp(env: Record<string, string>) {
    const config = loadConfig({
      HUB_MODE: 'production',
      DATABASE_URL: db.appUrl,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      HUB_KEY_ENCRYPTION_KEY: keyEncryptionKey,
      LOG_LEVEL: 'silent',
      ...env,
    });
    const app = await createApp({ config, logger: createRootLogger(config.logLevel), appUrl: db.appUrl });
    apps.push(app);
    return request(app.getHttpServer());
  }

  it('serves neither the document nor its UI unless API_DOCS=on', async () => {
    const closed = await productionApp({});
    expect((await closed.get('/api/docs-json')).status).toBe(404);
    expect((await closed.get('/api/docs')).status).toBe(404);
    expect((await closed.get('/health/live')).status).toBe(200);

    const opened = await productionApp({ API_DOCS: 'on' });
    const res = await opened.get('/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
  });
});

/** Runs the committed redocly configuration on a document, with no telemetry and no update check. */
function lintOpenApi(file: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', file, '--config', 'redocly.yaml', '--format', 'stylish'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * Where a value does not fit a schema of the document: a property the schema does not declare, a required
 * one missing, a wrong type, a null where none is allowed, a value outside an enum.
 */
function mismatches(document: Document, schema: Schema, value: unknown, at: string): string[] {
  const resolved = schema.$ref ? document.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
  if (!resolved) return [`${at}: unresolved ${schema.$ref}`];
  if (value === null) return resolved.nullable ? [] : [`${at}: null is not allowed`];
  if (resolved.allOf) {
    const merged: Schema = { type: 'object', properties: {}, required: [] };
    for (const part of resolved.allOf) {
      const p = part.$ref ? document.components.schemas[part.$ref.replace('#/components/schemas/', '')] : part;
      Object.assign(merged.properties!, p.properties);
      merged.required!.push(...(p.required ?? []));
    }
    return mismatches(document, merged, value, at);
  }
  if (resolved.enum && !resolved.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${resolved.enum.join(', ')}`];
  const type = resolved.type ?? (resolved.properties ? 'object' : undefined);
  switch (type) {
    case 'string':
    case 'boolean':
      return typeof value === type ? [] : [`${at}: ${JSON.stringify(value)} is not a ${type}`];
    case 'number':
    case 'integer':
      return typeof value === 'number' ? [] : [`${at}: ${JSON.stringify(value)} is not a number`];
    case 'array':
      if (!Array.isArray(value)) return [`${at}: not an array`];
      return value.flatMap((item, i) => mismatches(document, resolved.items ?? {}, item, `${at}[${i}]`));
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      const record = value as Record<string, unknown>;
      const problems = (resolved.required ?? []).filter((key) => !(key in record)).map((key) => `${at}.${key}: required but missing`);
      for (const [key, item] of Object.entries(record)) {
        const property = resolved.properties?.[key] ?? (typeof resolved.additionalProperties === 'object' ? resolved.additionalProperties : undefined);
        if (property) problems.push(...mismatches(document, property, item, `${at}.${key}`));
        else if (resolved.additionalProperties !== true) problems.push(`${at}.${key}: sent but not in the schema`);
      }
      return problems;
    }
    default:
      return [];
  }
}
