import { HttpStatus } from '@nestjs/common';
import { HubException } from '#common';

export enum IncidentErrorCode {
  StaleVersion = 'STALE_VERSION',
  InvalidTransition = 'INCIDENT_INVALID_TRANSITION',
  ReportRequired = 'INCIDENT_REPORT_REQUIRED',
  Closed = 'INCIDENT_CLOSED',
  AlreadyTriaged = 'EVENT_REPORT_ALREADY_TRIAGED',
  IdempotencyMismatch = 'IDEMPOTENCY_KEY_REUSED',
  DuplicateObservable = 'OBSERVABLE_DUPLICATE',
  UnknownClock = 'CLOCK_UNKNOWN',
  ExerciseRunsNoClock = 'INCIDENT_EXERCISE_NO_CLOCK',
}

export class IncidentException extends HubException {
  static stale(what: string, current: number) {
    return new IncidentException(
      IncidentErrorCode.StaleVersion,
      `the ${what} was changed since you read it (now at version ${current}); reload and apply your change again`,
      { status: HttpStatus.CONFLICT },
    );
  }

  static invalidTransition(from: string, to: string, allowed: readonly string[]) {
    return new IncidentException(
      IncidentErrorCode.InvalidTransition,
      `an incident in phase ${from} cannot move to ${to}; allowed: ${allowed.length ? allowed.join(', ') : 'none (closed)'}`,
      { status: HttpStatus.CONFLICT, details: [{ field: 'phase', rule: 'allowedTransition', message: `${from} → ${to} is not allowed` }] },
    );
  }

  static reportRequired() {
    return new IncidentException(
      IncidentErrorCode.ReportRequired,
      'closing needs the incident report with its lessons learned (PUT /api/v1/incidents/{id}/report) first',
      { status: HttpStatus.CONFLICT },
    );
  }

  static closed() {
    return new IncidentException(IncidentErrorCode.Closed, 'the incident is closed; it can no longer be changed', {
      status: HttpStatus.CONFLICT,
    });
  }

  static exerciseRunsNoClock() {
    return new IncidentException(
      IncidentErrorCode.ExerciseRunsNoClock,
      'the incident is an exercise: it runs no regulatory clock, so no submission to an authority is recorded on it',
      { status: HttpStatus.UNPROCESSABLE_ENTITY },
    );
  }
}
