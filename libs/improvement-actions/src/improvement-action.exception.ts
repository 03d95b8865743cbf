import { HttpStatus } from '@nestjs/common';
import { HubException } from '#common';

export enum ImprovementActionErrorCode {
  RedNotShareable = 'ACTION_RED_NOT_SHAREABLE',
  NotFromJointReview = 'ACTION_NOT_FROM_JOINT_REVIEW',
  SourceNotReviewed = 'ACTION_SOURCE_NOT_REVIEWED',
  InvalidTransition = 'ACTION_INVALID_TRANSITION',
  Finished = 'ACTION_FINISHED',
  StaleVersion = 'ACTION_STALE_VERSION',
}

/** Refusals of improvement actions (issue 11 section 3). */
export class ImprovementActionException extends HubException {
  static redNotShareable() {
    const message = 'a RED action cannot be shared with the coordination team: RED stays with your organisation';
    return new ImprovementActionException(ImprovementActionErrorCode.RedNotShareable, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'shareWithCoordinator', rule: 'notRED', message }],
    });
  }

  static notFromJointReview() {
    const message = "only an action raised in a joint incident's review can be shared with its coordination team";
    return new ImprovementActionException(ImprovementActionErrorCode.NotFromJointReview, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'shareWithCoordinator', rule: 'jointSourced', message }],
    });
  }

  static incidentNotReviewed() {
    return new ImprovementActionException(
      ImprovementActionErrorCode.SourceNotReviewed,
      'actions come from a reviewed incident: write its report first, or move it to learn_lessons',
      { status: HttpStatus.CONFLICT },
    );
  }

  static jointNotInReview() {
    return new ImprovementActionException(
      ImprovementActionErrorCode.SourceNotReviewed,
      "actions come from the joint incident's review: it must be in learn_lessons or closed",
      { status: HttpStatus.CONFLICT },
    );
  }

  static invalidTransition(from: string, to: string, allowed: readonly string[]) {
    const message = `an action moves from ${from} only to ${allowed.length ? allowed.join(' or ') : 'nothing (it is finished)'}, not to ${to}`;
    return new ImprovementActionException(ImprovementActionErrorCode.InvalidTransition, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'state', rule: 'transition', message }],
    });
  }

  static finished(state: string) {
    return new ImprovementActionException(
      ImprovementActionErrorCode.Finished,
      `the action is ${state}: only its sharing, its marking and new evidence may still change`,
      { status: HttpStatus.CONFLICT },
    );
  }

  static stale(current: number) {
    return new ImprovementActionException(
      ImprovementActionErrorCode.StaleVersion,
      `the action was changed since you read it (now at version ${current}); reload and apply your change again`,
      { status: HttpStatus.CONFLICT },
    );
  }
}
