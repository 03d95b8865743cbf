// Coordination agreements and joint incidents (ISO/IEC 27035-4).
export * from './agreements/agreements.module.js';
export * from './agreements/agreements.service.js';
export * from './agreements/agreement-in-force.js';
export * from './agreements/agreement.exception.js';
export * from './agreements/demo-agreement.js';
