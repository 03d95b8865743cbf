import { HttpStatus } from '@nestjs/common';
import { HubException } from '#common';

export enum JointIncidentErrorCode {
  CoordinatorOnly = 'JOINT_COORDINATOR_ONLY',
  InvalidTransition = 'JOINT_INCIDENT_INVALID_TRANSITION',
  ClosingSummaryRequired = 'JOINT_INCIDENT_CLOSING_SUMMARY_REQUIRED',
  Closed = 'JOINT_INCIDENT_CLOSED',
  StaleVersion = 'STALE_VERSION',
  ParticipantNotEligible = 'JOINT_PARTICIPANT_NOT_ELIGIBLE',
  AlreadyParticipant = 'JOINT_PARTICIPANT_EXISTS',
  NotInvited = 'JOINT_PARTICIPANT_NOT_INVITED',
  NotParticipant = 'JOINT_PARTICIPANT_NOT_LIVE',
  EscalationNotReleased = 'JOINT_ESCALATION_NOT_RELEASED',
  ContactsNotOwn = 'JOINT_CONTACTS_NOT_OWN',
}

/** Refusals of the joint-incident workspace, each naming the rule that decided. */
export class JointIncidentException extends HubException {
  static coordinatorOnly() {
    return new JointIncidentException(
      JointIncidentErrorCode.CoordinatorOnly,
      'joint incidents are opened and run by users with the coordinator role of a coordinator organisation',
      { status: HttpStatus.FORBIDDEN },
    );
  }

  static invalidTransition(from: string, to: string, allowed: readonly string[]) {
    return new JointIncidentException(
      JointIncidentErrorCode.InvalidTransition,
      `a joint incident in phase ${from} cannot move to ${to}; allowed: ${allowed.length ? allowed.join(', ') : 'none (closed)'}`,
      { status: HttpStatus.CONFLICT, details: [{ field: 'phase', rule: 'allowedTransition', message: `${from} → ${to} is not allowed` }] },
    );
  }

  static closingSummaryRequired() {
    const message = 'closing a joint incident needs a closingSummary (and its joint report published)';
    return new JointIncidentException(JointIncidentErrorCode.ClosingSummaryRequired, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'closingSummary', rule: 'requiredToClose', message }],
    });
  }

  static closed() {
    return new JointIncidentException(JointIncidentErrorCode.Closed, 'the joint incident is closed; it can no longer be changed', {
      status: HttpStatus.CONFLICT,
    });
  }

  static stale(current: number) {
    return new JointIncidentException(
      JointIncidentErrorCode.StaleVersion,
      `the joint incident was changed since you read it (now at version ${current}); reload and apply your change again`,
      { status: HttpStatus.CONFLICT },
    );
  }

  static notEligible(reason: string) {
    const message = `the organisation cannot be invited: ${reason}`;
    return new JointIncidentException(JointIncidentErrorCode.ParticipantNotEligible, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'organisationId', rule: 'eligibleParticipant', message }],
    });
  }

  static alreadyParticipant() {
    return new JointIncidentException(
      JointIncidentErrorCode.AlreadyParticipant,
      'the organisation is already invited to or taking part in this joint incident',
      { status: HttpStatus.CONFLICT },
    );
  }

  static notInvited() {
    return new JointIncidentException(JointIncidentErrorCode.NotInvited, 'there is no open invitation to answer (already answered or withdrawn)', {
      status: HttpStatus.CONFLICT,
    });
  }

  static notParticipant() {
    return new JointIncidentException(JointIncidentErrorCode.NotParticipant, 'the organisation is not invited to or taking part in this joint incident', {
      status: HttpStatus.CONFLICT,
    });
  }

  static notReleased(incidentId: string) {
    const message = `incident ${incidentId} is not released to your organisation, so it cannot be escalated`;
    return new JointIncidentException(JointIncidentErrorCode.EscalationNotReleased, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'escalate', rule: 'releasedToCoordinator', message }],
    });
  }

  static contactsNotOwn() {
    const message = 'pointsOfContact must be entries of your own organisation\'s directory (GET /api/v1/organisations/{id}/points-of-contact)';
    return new JointIncidentException(JointIncidentErrorCode.ContactsNotOwn, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'pointsOfContact', rule: 'ownDirectoryEntries', message }],
    });
  }
}
