export * from './hub.exception.js';
export * from './hub-config.js';
export * from './logger.js';
export * from './error-response.js';
export * from './hub-exception.filter.js';
export * from './validation.pipe.js';
export * from './cursor.js';
export * from './page-query.dto.js';
