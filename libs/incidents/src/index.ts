export * from './taxonomy.js';
export * from './incidents.module.js';
