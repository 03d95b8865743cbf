import { decodeTimeCursor } from '#common';
import type { SqlParams } from '#sharing';
import type { RegisterQueryDto } from './dto/incident.dto.js';

/**
 * The register's filters and keyset position as SQL over `incidents i`, every value a parameter. The owner's
 * register and the shared views use the same filters, so a recipient searches what it was sent the same way.
 */
export function registerConditions(query: RegisterQueryDto, params: SqlParams): string[] {
  const after = decodeTimeCursor(query.cursor);
  const where: string[] = [];
  if (query.phase) where.push(`i.phase = ${params.add(query.phase)}`);
  if (query.category) where.push(`i.category = ${params.add(query.category)}`);
  if (query.severity) where.push(`i.severity = ${params.add(query.severity)}`);
  if (query.marking) where.push(`i.marking = ${params.add(query.marking)}`);
  if (query.q) where.push(`i.search @@ plainto_tsquery('simple', ${params.add(query.q)})`);
  if (query.updatedFrom) where.push(`i.updated_at >= ${params.add(query.updatedFrom, 'timestamptz')}`);
  if (query.updatedTo) where.push(`i.updated_at < ${params.add(query.updatedTo, 'timestamptz')}`);
  if (query.awareFrom) where.push(`i.aware_at >= ${params.add(query.awareFrom, 'timestamptz')}`);
  if (query.awareTo) where.push(`i.aware_at < ${params.add(query.awareTo, 'timestamptz')}`);
  if (query.exercise !== undefined) where.push(`i.exercise = ${params.add(query.exercise, 'boolean')}`);
  if (after) where.push(`(i.updated_at, i.id) < (${params.add(after.key, 'timestamptz')}, ${params.add(after.id, 'uuid')})`);
  return where;
}

/** Newest change first, one more row than the page to know whether another follows. */
export function registerOrder(query: RegisterQueryDto, params: SqlParams): string {
  return `ORDER BY i.updated_at DESC, i.id DESC LIMIT ${params.add(query.limit + 1, 'int')}`;
}
