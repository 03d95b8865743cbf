import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '#common';
import { NO_TENANT, TenantDatabase } from '#database';
import { AuthErrorCode, AuthException } from './auth.exception.js';

/** How many more failures one address may cause than one account, before it is throttled too. */
const IP_FACTOR = 4;

/**
 * Failed logins are counted in the database, per account and per client address, so the limit holds
 * across every hub process. A throttled login is refused before the password is even checked.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly db: TenantDatabase,
  ) {}

  async check(email: string, ip: string): Promise<void> {
    const [counts] = await this.db.run(NO_TENANT, (tx) =>
      tx.query<{ by_email: number; by_ip: number }>(
        `SELECT count(*) FILTER (WHERE email = $1)::int AS by_email, count(*) FILTER (WHERE ip = $2)::int AS by_ip
           FROM login_failures
          WHERE (email = $1 OR ip = $2) AND at > now() - make_interval(secs => $3)`,
        [email.toLowerCase(), ip, this.config.loginWindowSeconds],
      ),
    );
    if (counts.by_email >= this.config.loginMaxFailures || counts.by_ip >= this.config.loginMaxFailures * IP_FACTOR) {
      throw new AuthException(
        AuthErrorCode.LoginThrottled,
        `too many failed logins; try again in ${this.config.loginWindowSeconds} seconds`,
        HttpStatus.TOO_MANY_REQUESTS,
        { 'retry-after': String(this.config.loginWindowSeconds) },
      );
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await this.db.run(NO_TENANT, async (tx) => {
      await tx.query(`DELETE FROM login_failures WHERE email = $1 AND at < now() - make_interval(secs => $2)`, [
        email.toLowerCase(),
        this.config.loginWindowSeconds,
      ]);
      await tx.query('INSERT INTO login_failures (email, ip) VALUES ($1, $2)', [email.toLowerCase(), ip]);
    });
  }

  async clear(email: string): Promise<void> {
    await this.db.run(NO_TENANT, (tx) => tx.query('DELETE FROM login_failures WHERE email = $1', [email.toLowerCase()]));
  }
}
