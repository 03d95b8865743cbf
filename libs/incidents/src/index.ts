export * from './taxonomy.js';
export * from './markings.js';
export * from './incident.fields.js';
export * from './clock-profiles.js';
export * from './observable-types.js';
export * from './incidents.service.js';
export * from './incidents.module.js';
export * from './observables.service.js';
