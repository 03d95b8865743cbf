import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '#common';
import { NO_TENANT, TenantDatabase } from '#database';
import { AuthErrorCode, AuthException } from './auth.exception.js';

/** How many more failures one address may cause, over all accounts, than one account from one address. */
const IP_FACTOR = 4;
/** Old attempts of any account are deleted a bounded batch at a time, on each login. */
const PRUNE_BATCH = 500;

/**
 * Login attempts are rows in the database, so the limit holds across every hub process. They are counted per
 * (account, client address) pair, so guessing from one place cannot lock the account's owner out of every
 * other, and per address over all accounts at a looser limit, so one place cannot spray many accounts.
 * Each allowed attempt is written before its password is checked, so a burst of concurrent guesses counts
 * in full; a refused (429) attempt writes nothing, so hammering does not keep the window open. A success
 * clears the pair's rows only. Emails are folded with PostgreSQL's `lower()`, as the account lookup does.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly db: TenantDatabase,
  ) {}

  async recordAttempt(email: string, ip: string): Promise<void> {
    const window = this.config.loginWindowSeconds;
    const max = this.config.loginMaxFailures;
    const refusal = await this.db.run(NO_TENANT, async (tx) => {
      // Attempts on one account, then from one address, queue here for the few milliseconds of the count, so
      // none slips past it. Always in this order (account, then address), so two attempts never deadlock.
      await tx.query('SELECT pg_advisory_xact_lock(1, hashtext(lower($1))), pg_advisory_xact_lock(2, hashtext($2))', [email, ip]);
      // One login at a time prunes (the others skip it rather than wait), so two never delete the same rows.
      const [pruner] = await tx.query<{ mine: boolean }>('SELECT pg_try_advisory_xact_lock(3, 0) AS mine');
      if (pruner.mine) {
        await tx.query(
          `DELETE FROM login_failures WHERE id IN (
             SELECT id FROM login_failures WHERE at < now() - make_interval(secs => $1) ORDER BY at LIMIT $2)`,
          [window, PRUNE_BATCH],
        );
      }
      const [row] = await tx.query<{ by_pair: number; by_ip: number; retry_after: number | null }>(
        `WITH recent AS (
           SELECT email = lower($1) AS same_account, at FROM login_failures
            WHERE ip = $2 AND at > now() - make_interval(secs => $3))
         SELECT count(*) FILTER (WHERE same_account)::int AS by_pair, count(*)::int AS by_ip,
                ceil(extract(epoch FROM (
                  CASE WHEN count(*) FILTER (WHERE same_account) >= $4 THEN min(at) FILTER (WHERE same_account) ELSE min(at) END
                  + make_interval(secs => $3) - now())))::int AS retry_after
           FROM recent`,
        [email, ip, window, max],
      );
      if (row.by_pair >= max || row.by_ip >= max * IP_FACTOR) return Math.max(1, row.retry_after ?? window);
      await tx.query('INSERT INTO login_failures (email, ip) VALUES (lower($1), $2)', [email, ip]);
      return null;
    });
    if (refusal !== null) {
      throw new AuthException(
        AuthErrorCode.LoginThrottled,
        `too many failed logins from this address; try again in ${refusal} seconds`,
        HttpStatus.TOO_MANY_REQUESTS,
        { 'retry-after': String(refusal) },
      );
    }
  }

  /** A success clears this account's failures from this address: not the attacker's count elsewhere. */
  async succeeded(email: string, ip: string): Promise<void> {
    // Only rows still in the window: older ones are the pruner's, so the two never contend for a row.
    await this.db.run(NO_TENANT, (tx) =>
      tx.query('DELETE FROM login_failures WHERE email = lower($1) AND ip = $2 AND at >= now() - make_interval(secs => $3)', [
        email,
        ip,
        this.config.loginWindowSeconds,
      ]),
    );
  }
}
