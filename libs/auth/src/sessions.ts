import type { TenantTransaction } from '#database';

/** Ending sessions is the auth library's concern; everyone who needs it calls these, inside their transaction. */
export async function revokeSession(tx: TenantTransaction, sessionId: string, reason: string): Promise<void> {
  await tx.query('UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL', [
    sessionId,
    reason,
  ]);
}

/** Every live session of a user (disabled, or its password changed): its tokens stop working at once. */
export async function revokeUserSessions(tx: TenantTransaction, userId: string, reason: string): Promise<void> {
  await tx.query('UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL', [
    userId,
    reason,
  ]);
}
