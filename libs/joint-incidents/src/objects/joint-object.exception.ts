import { HttpStatus } from '@nestjs/common';
import { type FieldProblem, HubException } from '#common';

export enum JointObjectErrorCode {
  CoordinatorOnly = 'JOINT_COORDINATOR_ONLY',
  AudienceNotParticipant = 'JOINT_AUDIENCE_NOT_PARTICIPANT',
  RedNeedsNamedUsers = 'JOINT_RED_NEEDS_NAMED_USERS',
  DuplicateObservable = 'JOINT_OBSERVABLE_DUPLICATE',
  NotReleasedToCoordinator = 'JOINT_LINK_NOT_RELEASED',
  PassNotAllowedByMarking = 'ONWARD_PASS_NOT_ALLOWED_BY_MARKING',
  AlreadyLinked = 'JOINT_INCIDENT_ALREADY_LINKED',
  Closed = 'JOINT_INCIDENT_CLOSED',
}

/** Refusals of the joint incident's workspace objects: updates, decisions, observables, linked incidents. */
export class JointObjectException extends HubException {
  /** Something only the coordination team running the joint incident may do (advisories, decisions, links). */
  static coordinatorOnly(what: string) {
    return new JointObjectException(JointObjectErrorCode.CoordinatorOnly, `only the coordination team running this joint incident may ${what}`, {
      status: HttpStatus.FORBIDDEN,
    });
  }

  static audienceNotParticipant(problems: FieldProblem[]) {
    return new JointObjectException(
      JointObjectErrorCode.AudienceNotParticipant,
      'an audience names only accepted participants of this joint incident (or, for named users, the coordination team)',
      { status: HttpStatus.UNPROCESSABLE_ENTITY, details: problems },
    );
  }

  static redNeedsNamedUsers() {
    const message = 'RED reaches named users only: name them in audienceUsers';
    return new JointObjectException(JointObjectErrorCode.RedNeedsNamedUsers, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'audienceUsers', rule: 'markingRED', message }],
    });
  }

  static duplicateObservable(type: string, value: string) {
    return new JointObjectException(JointObjectErrorCode.DuplicateObservable, `this joint incident already has your ${type} ${value}`, {
      status: HttpStatus.CONFLICT,
      details: [{ field: 'value', rule: 'unique', message: 'value is already an observable of this joint incident' }],
    });
  }

  static notReleasedToCoordinator() {
    const message = 'only an incident its owner released to your organisation can be linked (and passed on)';
    return new JointObjectException(JointObjectErrorCode.NotReleasedToCoordinator, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'incidentId', rule: 'releasedToCoordinator', message }],
    });
  }

  static passNotAllowed(marking: string) {
    const message = `the incident is ${marking}: only AMBER, GREEN or CLEAR incidents may be passed on into a joint incident, never AMBER+STRICT or RED`;
    return new JointObjectException(JointObjectErrorCode.PassNotAllowedByMarking, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'passOn', rule: `marking${marking}`, message }],
    });
  }

  static alreadyLinked() {
    return new JointObjectException(JointObjectErrorCode.AlreadyLinked, 'the incident is already linked to this joint incident, on these terms', {
      status: HttpStatus.CONFLICT,
      details: [{ field: 'incidentId', rule: 'linkedOnce', message: 'the incident is already linked' }],
    });
  }

  static closed() {
    return new JointObjectException(JointObjectErrorCode.Closed, 'the joint incident is closed; its workspace can no longer be changed', {
      status: HttpStatus.CONFLICT,
    });
  }
}
