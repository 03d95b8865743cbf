import { HttpStatus } from '@nestjs/common';
import { type FieldProblem, HubException } from '#common';

export enum AgreementErrorCode {
  /** Taking part in a joint incident without an accepted agreement valid today. */
  AgreementRequired = 'AGREEMENT_REQUIRED',
  /** A party organisation that is not an active organisation of the hub, or the coordinator itself. */
  InvalidParty = 'AGREEMENT_INVALID_PARTY',
  /** The version named is not the current one (a new version was published, or a stale read). */
  VersionNotCurrent = 'AGREEMENT_VERSION_NOT_CURRENT',
  AlreadyAccepted = 'AGREEMENT_ALREADY_ACCEPTED',
  NotAParty = 'AGREEMENT_NOT_A_PARTY',
  Expired = 'AGREEMENT_EXPIRED',
  ContactsRequired = 'AGREEMENT_CONTACTS_REQUIRED',
  LogNotOpen = 'AGREEMENT_LOG_NOT_OPEN',
}

/** The rule `requireAgreementInForce` enforces, word for word in its message. */
export const AGREEMENT_RULE = 'taking part in a joint incident requires an accepted coordination agreement valid today';

export class AgreementException extends HubException {
  static required(field: string, orgId: string) {
    return new AgreementException(
      AgreementErrorCode.AgreementRequired,
      `${AGREEMENT_RULE}: organisation ${orgId} has not accepted the current version of an agreement with this coordinator that is valid now`,
      { status: HttpStatus.UNPROCESSABLE_ENTITY, details: [{ field, rule: 'agreementInForce', message: AGREEMENT_RULE }] },
    );
  }

  static invalidParties(details: FieldProblem[]) {
    return new AgreementException(AgreementErrorCode.InvalidParty, details.map((d) => d.message).join('; '), {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details,
    });
  }

  static versionNotCurrent(field: string, named: number, current: number) {
    return new AgreementException(
      AgreementErrorCode.VersionNotCurrent,
      `version ${named} is not the current version of this agreement (now at version ${current}); read it and name version ${current}`,
      { status: HttpStatus.CONFLICT, details: [{ field, rule: 'currentVersion', message: `${field} must be ${current}, the current version` }] },
    );
  }

  static alreadyAccepted(version: number) {
    return new AgreementException(AgreementErrorCode.AlreadyAccepted, `your organisation has already accepted version ${version} of this agreement`, {
      status: HttpStatus.CONFLICT,
      details: [{ field: 'version', rule: 'acceptOnce', message: `version ${version} is already accepted` }],
    });
  }

  static notAParty(version: number) {
    return new AgreementException(
      AgreementErrorCode.NotAParty,
      `only an organisation named as a party in the current version (${version}) accepts it; yours is not named`,
      { status: HttpStatus.UNPROCESSABLE_ENTITY, details: [{ field: 'version', rule: 'partyOfVersion', message: 'your organisation is not a party of this version' }] },
    );
  }

  static expired(version: number, until: string) {
    return new AgreementException(
      AgreementErrorCode.Expired,
      `version ${version} of this agreement expired at ${until}; an expired agreement cannot be accepted, ask the coordinator for a new version`,
      { status: HttpStatus.UNPROCESSABLE_ENTITY, details: [{ field: 'version', rule: 'notExpired', message: `version ${version} is no longer valid` }] },
    );
  }

  static publishedExpired() {
    return new AgreementException(AgreementErrorCode.Expired, 'validUntil is already past: a version is published to be accepted while it is valid', {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'validUntil', rule: 'inTheFuture', message: 'validUntil must be in the future' }],
    });
  }

  static logNotOpen() {
    return new AgreementException(
      AgreementErrorCode.LogNotOpen,
      "this agreement has no management log for acceptances yet (it was published before agreements were logged); ask the coordinator to publish a new version, then accept that",
      { status: HttpStatus.CONFLICT },
    );
  }

  static contacts(details: FieldProblem[]) {
    return new AgreementException(AgreementErrorCode.ContactsRequired, details.map((d) => d.message).join('; '), {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details,
    });
  }
}
