import { HttpStatus } from '@nestjs/common';
import { type FieldProblem, HubException } from '#common';

export enum SharingErrorCode {
  NotAllowedByMarking = 'RELEASE_NOT_ALLOWED_BY_MARKING',
  AlreadyReleased = 'RELEASE_ALREADY_EXISTS',
  UnknownRecipient = 'RELEASE_UNKNOWN_RECIPIENT',
  OwnRecipient = 'RELEASE_TO_OWNER',
  LoosenByOwnerOnly = 'MARKING_LOOSEN_OWNER_ONLY',
}

export class SharingException extends HubException {
  /** A release the marking does not allow: 422, naming the rule and each recipient it refuses. */
  static notAllowedByMarking(marking: string, rule: string, problems: FieldProblem[]) {
    return new SharingException(SharingErrorCode.NotAllowedByMarking, `the ${marking} marking does not allow this release: ${rule}`, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: problems,
    });
  }

  static alreadyReleased(problems: FieldProblem[]) {
    return new SharingException(SharingErrorCode.AlreadyReleased, 'a live release already names this recipient; revoke it first to change it', {
      status: HttpStatus.CONFLICT,
      details: problems,
    });
  }

  static unknownRecipient(field: string, what: string) {
    const message = `${what} is not an active ${field.endsWith('user') ? 'user' : 'organisation'} of this hub`;
    return new SharingException(SharingErrorCode.UnknownRecipient, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field, rule: 'knownRecipient', message }],
    });
  }

  static ownRecipient(field: string) {
    const message = 'the owner organisation already reads its own incidents; name another recipient';
    return new SharingException(SharingErrorCode.OwnRecipient, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field, rule: 'notOwner', message }],
    });
  }

  static loosenByOwnerOnly() {
    return new SharingException(SharingErrorCode.LoosenByOwnerOnly, 'only the owner organisation may loosen a marking; you may tighten it', {
      status: HttpStatus.FORBIDDEN,
      details: [{ field: 'marking', rule: 'ownerLoosens', message: 'only the owner organisation may loosen a marking' }],
    });
  }
}
