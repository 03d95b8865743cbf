// Improvement actions (issue 11 section 3, ISO/IEC 27035-2 clause 12).
export * from './improvement-actions.module.js';
export * from './improvement-actions.service.js';
export * from './improvement-action.exception.js';
export * from './improvement-action.view.js';
export * from './figures.js';
export { ACTION_KINDS, ACTION_STATES, CreateImprovementActionDto, UpdateImprovementActionDto, EvidenceDto, ActionQueryDto } from './dto/improvement-action.dto.js';
