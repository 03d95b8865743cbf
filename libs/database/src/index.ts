export * from './tenant-context.js';
export * from './tenant-database.js';
export * from './database.module.js';
export * from './embedded-postgres.js';
export * from './provision.js';
export * from './migrate.js';
export { migrations } from './migrations/index.js';
export * from './prepare-database.js';
export * from './platform-operators.js';
