import { ConfigError, loadConfig } from './hub-config.js';

describe('loadConfig', () => {
  it('defaults to the embedded PostgreSQL, port 3000 and the demo seed', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ embedded: true, port: 3000, seedDemo: true, mode: 'development', databaseUrl: null });
  });

  it('uses DATABASE_URL for the app role and MIGRATION_DATABASE_URL for the owner, and seeds nothing by default', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app@db/hub', MIGRATION_DATABASE_URL: 'postgres://owner@db/hub' });
    expect(config).toMatchObject({ embedded: false, seedDemo: false, databaseUrl: 'postgres://app@db/hub', migrationDatabaseUrl: 'postgres://owner@db/hub' });
  });

  it('refuses DATABASE_URL without a separate owner connection, which would let the app read across tenants', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app@db/hub' })).toThrow(/needs MIGRATION_DATABASE_URL/);
    // A serving process that leaves migrations to a separate job holds no owner credentials.
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db/hub', MIGRATE_ON_START: 'false' })).toMatchObject({ migrationDatabaseUrl: null });
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app@db/hub', MIGRATION_DATABASE_URL: 'postgres://app:x@db/hub' })).toThrow(
      /same role/,
    );
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', SEED_DEMO: 'maybe' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT must be a whole number/);
      expect(problems).toMatch(/LOG_LEVEL must be one of/);
      expect(problems).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
      expect(problems).toMatch(/SEED_DEMO must be true or false/);
    }
  });

  it('refuses the embedded database and the demo seed in production mode', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/production mode needs DATABASE_URL/);
    expect(() => loadConfig({ HUB_MODE: 'production', DATABASE_URL: 'postgres://a@b/c', SEED_DEMO: 'true' })).toThrow(
      /SEED_DEMO is refused in production/,
    );
  });

  it('serves the API docs by default except in production, where API_DOCS=on opts in', () => {
    const production = { HUB_MODE: 'production', DATABASE_URL: 'postgres://a@b/c', MIGRATION_DATABASE_URL: 'postgres://o@b/c' };
    expect(loadConfig({}).apiDocs).toBe(true);
    expect(loadConfig({ API_DOCS: 'off' }).apiDocs).toBe(false);
    expect(loadConfig(production).apiDocs).toBe(false);
    expect(loadConfig({ ...production, NODE_ENV: 'production', HUB_MODE: undefined }).apiDocs).toBe(false);
    expect(loadConfig({ ...production, API_DOCS: 'on' }).apiDocs).toBe(true);
    expect(() => loadConfig({ API_DOCS: 'yes please' })).toThrow(/API_DOCS must be one of on, off/);
  });
});
