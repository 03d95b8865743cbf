import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type HubConfig } from './hub-config.js';

/**
 * The configuration with its key-encryption key: the one given in `HUB_KEY_ENCRYPTION_KEY`, or, outside
 * production, one generated on first start into the data folder (`key-encryption.secret`, mode 0600, beside
 * the embedded PostgreSQL's generated passwords). Production refuses to start without it (`loadConfig`).
 */
export async function resolveKeyEncryptionKey(config: HubConfig): Promise<HubConfig> {
  if (config.keyEncryptionKey) return config;
  if (config.mode === 'production') throw new ConfigError(['production mode needs HUB_KEY_ENCRYPTION_KEY']);
  const file = path.join(config.dataDir, 'key-encryption.secret');
  if (!existsSync(file)) {
    await mkdir(config.dataDir, { recursive: true, mode: 0o755 });
    await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
  if (key.length !== 32) throw new ConfigError([`${file} does not hold a 32-byte key-encryption key`]);
  return { ...config, keyEncryptionKey: key };
}
