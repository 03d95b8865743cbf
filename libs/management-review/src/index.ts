export * from './management-review.module.js';
export * from './management-review.service.js';
export * from './figures-csv.js';
export { FiguresQueryDto } from './dto/figures-query.dto.js';
export * from './dto/figures-view.dto.js';
