// Coordination agreements and joint incidents (ISO/IEC 27035-4).
export {};
export * from './objects/joint-objects.module.js';
