export * from './principal.js';
export * from './auth.exception.js';
export * from './access.decorators.js';
export * from './password-hasher.js';
export * from './token.service.js';
export * from './auth.service.js';
export * from './auth.module.js';
export * from './sessions.js';
