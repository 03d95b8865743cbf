export * from './markings.js';
export * from './release-rules.js';
export * from './grantees.js';
export * from './policy.js';
export * from './policy-sql.js';
export * from './projection.js';
export * from './access-table.js';
export * from './sharing.exception.js';
