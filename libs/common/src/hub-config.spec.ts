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
    const production = {
      HUB_MODE: 'production',
      DATABASE_URL: 'postgres://a@b/c',
      MIGRATION_DATABASE_URL: 'postgres://o@b/c',
      HUB_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    };
    expect(loadConfig({}).apiDocs).toBe(true);
    expect(loadConfig({ API_DOCS: 'off' }).apiDocs).toBe(false);
    expect(loadConfig(production).apiDocs).toBe(false);
    expect(loadConfig({ ...production, NODE_ENV: 'production', HUB_MODE: undefined }).apiDocs).toBe(false);
    expect(loadConfig({ ...production, API_DOCS: 'on' }).apiDocs).toBe(true);
    expect(() => loadConfig({ API_DOCS: 'yes please' })).toThrow(/API_DOCS must be one of on, off/);
  });

  it('reads HUB_KEY_ENCRYPTION_KEY as 32 bytes of base64 or base64url, and names it when it is not', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ HUB_KEY_ENCRYPTION_KEY: key.toString('base64') }).keyEncryptionKey).toEqual(key);
    expect(loadConfig({ HUB_KEY_ENCRYPTION_KEY: key.toString('base64url') }).keyEncryptionKey).toEqual(key);
    expect(loadConfig({}).keyEncryptionKey).toBeNull();
    expect(() => loadConfig({ HUB_KEY_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/HUB_KEY_ENCRYPTION_KEY must be 32 bytes/);
    expect(() => loadConfig({ HUB_KEY_ENCRYPTION_KEY: 'not base64 at all!' })).toThrow(/HUB_KEY_ENCRYPTION_KEY must be 32 bytes/);
  });

  it('refuses to start in production mode without a key-encryption key', () => {
    const production = { HUB_MODE: 'production', DATABASE_URL: 'postgres://app@db/hub', MIGRATION_DATABASE_URL: 'postgres://owner@db/hub' };
    expect(() => loadConfig(production)).toThrow(/production mode needs HUB_KEY_ENCRYPTION_KEY/);
    expect(loadConfig({ ...production, HUB_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') })).toMatchObject({ mode: 'production' });
  });

  it('serves no metrics unless HUB_METRICS_TOKEN is set, and takes only a long token without echoing a bad one', () => {
    expect(loadConfig({}).metricsToken).toBeNull();
    expect(loadConfig({ HUB_METRICS_TOKEN: '' }).metricsToken).toBeNull();
    const token = 'a1b2c3d4'.repeat(8);
    expect(loadConfig({ HUB_METRICS_TOKEN: token }).metricsToken).toBe(token);
    expect(loadConfig({ HUB_METRICS_TOKEN: Buffer.alloc(32, 9).toString('base64') }).metricsToken).toHaveLength(44);
    for (const bad of ['short-secret', 'x'.repeat(31), `${'y'.repeat(40)} spaced`, `${'z'.repeat(40)}"`, 'w'.repeat(513)]) {
      try {
        loadConfig({ HUB_METRICS_TOKEN: bad });
        throw new Error('expected a ConfigError');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        const problems = (error as ConfigError).problems.join('\n');
        expect(problems).toMatch(/HUB_METRICS_TOKEN must be 32 to 512 characters/);
        expect(problems).not.toContain(bad);
      }
    }
  });
});
