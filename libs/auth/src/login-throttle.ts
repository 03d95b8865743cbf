import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '#common';
import { NO_TENANT, TenantDatabase } from '#database';
import { AuthErrorCode, AuthException } from './auth.exception.js';

/** How many more failures one address may cause than one account, before it is throttled too. */
const IP_FACTOR = 4;

/**
 * Login attempts are rows in the database, counted per account and per client address, so the limit
 * holds across every hub process. Each attempt is written before its password is checked, so a burst of
 * concurrent guesses counts in full; a successful login clears the account's rows. Emails are folded with
 * PostgreSQL's `lower()`, the same function the account lookup uses.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly db: TenantDatabase,
  ) {}

  async recordAttempt(email: string, ip: string): Promise<void> {
    const window = this.config.loginWindowSeconds;
    const counts = await this.db.run(NO_TENANT, async (tx) => {
      // Attempts on one account queue here for the few milliseconds of the count, so none slips past it.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext(lower($1)))', [email]);
      await tx.query('DELETE FROM login_failures WHERE email = lower($1) AND at < now() - make_interval(secs => $2)', [email, window]);
      await tx.query('INSERT INTO login_failures (email, ip) VALUES (lower($1), $2)', [email, ip]);
      const [row] = await tx.query<{ by_email: number; by_ip: number }>(
        `SELECT count(*) FILTER (WHERE email = lower($1))::int AS by_email, count(*) FILTER (WHERE ip = $2)::int AS by_ip
           FROM login_failures
          WHERE (email = lower($1) OR ip = $2) AND at > now() - make_interval(secs => $3)`,
        [email, ip, window],
      );
      return row;
    });
    if (counts.by_email > this.config.loginMaxFailures || counts.by_ip > this.config.loginMaxFailures * IP_FACTOR) {
      throw new AuthException(AuthErrorCode.LoginThrottled, `too many failed logins; try again in ${window} seconds`, HttpStatus.TOO_MANY_REQUESTS, {
        'retry-after': String(window),
      });
    }
  }

  async succeeded(email: string): Promise<void> {
    await this.db.run(NO_TENANT, (tx) => tx.query('DELETE FROM login_failures WHERE email = lower($1)', [email]));
  }
}
