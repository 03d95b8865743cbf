import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { catchError, mergeMap, type Observable } from 'rxjs';
import { TenantDatabase } from '#database';

/**
 * The other half of `TokenService.authenticateRequest`: a request whose principal check was handed to its
 * first database message, but whose handler read nothing (or failed before it did), passes the check before
 * its answer or its error leaves; a principal that no longer holds gets 401 instead.
 */
@Injectable()
export class PendingCheckInterceptor implements NestInterceptor {
  constructor(private readonly db: TenantDatabase) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      mergeMap(async (value: unknown) => {
        await this.db.passPendingCheck();
        return value;
      }),
      catchError(async (error: unknown) => {
        await this.db.passPendingCheck();
        throw error;
      }),
    );
  }
}
