// Coordination agreements and joint incidents (ISO/IEC 27035-4).
export * from './agreements/agreements.module.js';
export * from './agreements/agreements.service.js';
export * from './agreements/agreement-in-force.js';
export * from './agreements/agreement.exception.js';
export * from './agreements/demo-agreement.js';
export * from './joint-incidents.module.js';
export * from './joint-incidents.service.js';
export * from './participants.service.js';
export * from './joint-workspace.js';
export * from './joint-incident.view.js';
export * from './joint-incident.exception.js';
export * from './dto/joint-incident.dto.js';
export * from './objects/joint-objects.module.js';
export * from './updates/joint-updates.service.js';
export * from './decisions/joint-decisions.service.js';
export * from './linked-incidents/linked-incidents.service.js';
export * from './tasks/joint-tasks.service.js';
export * from './tasks/due-date.js';
export * from './review/joint-review.service.js';
export * from './review/joint-review.exception.js';
// The workspace's building blocks, for the libraries whose shareable types live in a joint incident.
export { type JointMembership, jointMembership } from './objects/joint-membership.js';
export * from './objects/joint-change.js';
export * from './objects/joint-object.exception.js';
