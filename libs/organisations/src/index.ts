export * from './organisation.entity.js';
export * from './user.entity.js';
export * from './point-of-contact.entity.js';
export * from './organisations.service.js';
export * from './users.service.js';
export * from './invitations.service.js';
export * from './points-of-contact.service.js';
export * from './organisations.module.js';
