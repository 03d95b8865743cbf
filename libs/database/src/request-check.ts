import { AsyncLocalStorage } from 'node:async_hooks';
import type { TenantContext } from './tenant-context.js';

/**
 * A check the request must pass before any of its data leaves the database layer: the per-request principal
 * check (user active, organisation active, session open, roles as assumed), which the HTTP guard hands to the
 * request's first database message instead of spending a round trip of its own on it. `verify` throws (401)
 * when the rows do not confirm the principal; until a check has passed, every database call runs it first.
 */
export interface PendingCheck {
  context: TenantContext;
  sql: string;
  parameters: unknown[];
  verify(rows: Record<string, unknown>[]): void;
}

interface RequestScope {
  pending: PendingCheck | null;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs one request's work in a scope of its own (the HTTP server opens one per request). */
export function inRequestScope<T>(work: () => T): T {
  return scope.run({ pending: null }, work);
}

/** Hands the check to the request's first database call; refused outside a request scope. */
export function deferCheck(check: PendingCheck): boolean {
  const current = scope.getStore();
  if (!current) return false;
  current.pending = check;
  return true;
}

/** The check this request has not yet passed, if any. */
export function pendingCheck(): PendingCheck | null {
  return scope.getStore()?.pending ?? null;
}

/** Marks the check passed: it ran in the same transaction as the statement whose rows are about to be used. */
export function checkPassed(check: PendingCheck): void {
  const current = scope.getStore();
  if (current?.pending === check) current.pending = null;
}
