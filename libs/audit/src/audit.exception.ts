import { HttpStatus } from '@nestjs/common';
import { HubException } from '#common';

export enum AuditErrorCode {
  NoWritersOnIncidents = 'LOG_WRITERS_NOT_ON_INCIDENTS',
  UnknownOrganisation = 'LOG_WRITER_UNKNOWN_ORGANISATION',
  NothingToCheckpoint = 'LOG_EMPTY',
}

export class AuditException extends HubException {
  static noWritersOnIncidents() {
    return new AuditException(
      AuditErrorCode.NoWritersOnIncidents,
      "an incident's management log is written by its organisation only; other organisations log in the joint incident's chain",
      { status: HttpStatus.UNPROCESSABLE_ENTITY },
    );
  }

  static unknownOrganisation() {
    return new AuditException(AuditErrorCode.UnknownOrganisation, 'a log writer must be an organisation of this hub', {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
    });
  }

  static nothingToCheckpoint() {
    return new AuditException(AuditErrorCode.NothingToCheckpoint, 'the management log has no entry yet; there is no head to sign', {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
    });
  }
}
