import path from 'node:path';

export type HubMode = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The hub's configuration, read once from the environment and validated before anything starts. */
export interface HubConfig {
  mode: HubMode;
  port: number;
  host: string;
  /** Connection of the application role (owns nothing, cannot bypass row-level security). */
  databaseUrl: string | null;
  /** Connection of the owner role that runs migrations; required with `databaseUrl`, and a different role. */
  migrationDatabaseUrl: string | null;
  /** No `DATABASE_URL`: the hub starts its own PostgreSQL from the npm registry's binaries. */
  embedded: boolean;
  embeddedPostgresPort: number;
  dataDir: string;
  logLevel: LogLevel;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  migrateOnStart: boolean;
  seedDemo: boolean;
  bodyLimitBytes: number;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  /** Serve the OpenAPI document and its UI (`/api/docs`, `/api/docs-json`); off by default in production. */
  apiDocs: boolean;
  /**
   * The key-encryption key (32 bytes) that seals the private keys of the key ring at rest. Null when unset:
   * outside production the hub then keeps a generated one in the data folder (`resolveKeyEncryptionKey`).
   */
  keyEncryptionKey: Buffer | null;
  /**
   * The operator's bearer token for `GET /metrics` (Prometheus text format). Null when unset: the hub then
   * collects no metrics and serves no such route. Never logged.
   */
  metricsToken: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; every problem is named by its variable, all at once. */
export function loadConfig(env: Env = process.env): HubConfig {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!allowed.includes(raw as T)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const url = (name: string): string | null => {
    const raw = env[name];
    if (raw === undefined || raw === '') return null;
    try {
      const parsed = new URL(raw);
      if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
        problems.push(`${name} must be a postgres:// URL`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const modeEnv = env.HUB_MODE ?? (env.NODE_ENV === 'production' ? 'production' : undefined);
  const mode = oneOf<HubMode>('HUB_MODE', 'development', ['development', 'production', 'test']);
  const effectiveMode: HubMode = modeEnv === 'production' ? 'production' : mode;
  const databaseUrl = url('DATABASE_URL');
  const migrationDatabaseUrl = url('MIGRATION_DATABASE_URL');
  const embedded = databaseUrl === null;

  if (migrationDatabaseUrl && !databaseUrl) {
    problems.push('MIGRATION_DATABASE_URL is set without DATABASE_URL: set both, or neither for the embedded PostgreSQL');
  }
  // The owner may read across tenants (for the login lookup); the application must never connect as it.
  // A process that neither migrates nor seeds needs no owner connection at all.
  const migrateOnStart = bool('MIGRATE_ON_START', true);
  if (databaseUrl && !migrationDatabaseUrl && (migrateOnStart || env.SEED_DEMO === 'true')) {
    problems.push(
      'DATABASE_URL needs MIGRATION_DATABASE_URL too (or MIGRATE_ON_START=false): the application role (hub_app) and the owner (hub_owner) are different roles',
    );
  }
  if (databaseUrl && migrationDatabaseUrl && sameLogin(databaseUrl, migrationDatabaseUrl)) {
    problems.push('DATABASE_URL and MIGRATION_DATABASE_URL log in as the same role: the application must connect as hub_app, not as the owner');
  }
  if (effectiveMode === 'production' && embedded) {
    problems.push('production mode needs DATABASE_URL (and MIGRATION_DATABASE_URL): the embedded PostgreSQL is for the demo only');
  }
  const seedDemo = bool('SEED_DEMO', embedded);
  if (effectiveMode === 'production' && seedDemo) {
    problems.push('SEED_DEMO is refused in production mode: the demo users share a published password');
  }

  // The document maps every route and error of the API: on for development and tests, opt-in in production.
  const apiDocs = oneOf<'on' | 'off'>('API_DOCS', effectiveMode === 'production' ? 'off' : 'on', ['on', 'off']) === 'on';
  const keyEncryptionKey = key32('HUB_KEY_ENCRYPTION_KEY', env, problems);
  if (effectiveMode === 'production' && !keyEncryptionKey && !env.HUB_KEY_ENCRYPTION_KEY) {
    problems.push(
      'production mode needs HUB_KEY_ENCRYPTION_KEY (32 random bytes, base64: openssl rand -base64 32): it seals the signing keys at rest, the same in every hub process',
    );
  }

  const metricsToken = bearerToken('HUB_METRICS_TOKEN', env, problems);

  const config: HubConfig = {
    mode: effectiveMode,
    port: int('PORT', 3000, 0, 65535),
    host: env.HOST && env.HOST !== '' ? env.HOST : '127.0.0.1',
    databaseUrl,
    migrationDatabaseUrl,
    embedded,
    embeddedPostgresPort: int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    dataDir: path.resolve(env.HUB_DATA_DIR && env.HUB_DATA_DIR !== '' ? env.HUB_DATA_DIR : '.data'),
    logLevel: oneOf<LogLevel>('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlSeconds: int('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, 60, 365 * 86_400),
    migrateOnStart,
    seedDemo,
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    loginMaxFailures: int('LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginWindowSeconds: int('LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
    apiDocs,
    keyEncryptionKey,
    metricsToken,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** 32 bytes given as base64 or base64url (padding optional); anything else is a problem named by its variable. */
function key32(name: string, env: Env, problems: string[]): Buffer | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return null;
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw) ? Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    problems.push(`${name} must be 32 bytes in base64 or base64url (got ${key.length ? `${key.length} bytes` : 'something else'}; make one with: openssl rand -base64 32)`);
    return null;
  }
  return key;
}

/** Shortest operator token accepted: 32 characters of the token alphabet is beyond guessing (openssl rand -hex 32 gives 64). */
export const MIN_METRICS_TOKEN_LENGTH = 32;

/**
 * A bearer token (RFC 6750's token68 alphabet) long enough not to be guessed; a problem names the variable and
 * the rule, never the value.
 */
function bearerToken(name: string, env: Env, problems: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (!/^[A-Za-z0-9._~+/-]+=*$/.test(raw) || raw.length < MIN_METRICS_TOKEN_LENGTH || raw.length > 512) {
    problems.push(
      `${name} must be ${MIN_METRICS_TOKEN_LENGTH} to 512 characters of letters, digits and . _ ~ + / - (make one with: openssl rand -hex 32)`,
    );
    return null;
  }
  return raw;
}

function sameLogin(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.username === y.username && x.host === y.host && x.pathname === y.pathname;
  } catch {
    return false;
  }
}

export const HUB_CONFIG = Symbol('HUB_CONFIG');

/** The shared password of the seeded demo users: fine for the embedded demo, refused in production mode. */
export const DEMO_PASSWORD = 'demo-hub-2026';
