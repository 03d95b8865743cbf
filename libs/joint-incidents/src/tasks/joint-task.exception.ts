import { HttpStatus } from '@nestjs/common';
import { HubException } from '#common';

export enum JointTaskErrorCode {
  AssignerOnly = 'JOINT_TASK_ASSIGNER_ONLY',
  AssigneeOnly = 'JOINT_TASK_ASSIGNEE_ONLY',
  NotParticipant = 'JOINT_TASK_ASSIGNEE_NOT_PARTICIPANT',
  Contact = 'JOINT_TASK_CONTACT_NOT_ASSIGNEES',
  State = 'JOINT_TASK_STATE',
  Stale = 'JOINT_TASK_STALE',
}

/** Refusals of joint tasks: who assigns, who moves which state, and the states themselves. */
export class JointTaskException extends HubException {
  /** Assigning takes the coordination team (role coordinator) or a participant taking part as lead; cancelling and reassigning take the assigner. */
  static assignerOnly(what: string) {
    return new JointTaskException(JointTaskErrorCode.AssignerOnly, `only ${what}`, { status: HttpStatus.FORBIDDEN });
  }

  static assigneeOnly() {
    return new JointTaskException(JointTaskErrorCode.AssigneeOnly, 'only the organisation the task is assigned to (its handlers and admins) moves it', {
      status: HttpStatus.FORBIDDEN,
    });
  }

  static notParticipant(field: string) {
    const message = `${field} must name an accepted participant of this joint incident (by organisation id, or by participant id)`;
    return new JointTaskException(JointTaskErrorCode.NotParticipant, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field, rule: 'acceptedParticipant', message }],
    });
  }

  static contact() {
    const message = "assigneeContactId must be one of the assignee organisation's points of contact, and one you may know";
    return new JointTaskException(JointTaskErrorCode.Contact, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'assigneeContactId', rule: 'assigneesContact', message }],
    });
  }

  static state(action: string, state: string) {
    const message = `a ${state.replace('_', ' ')} task cannot be moved by ${action}`;
    return new JointTaskException(JointTaskErrorCode.State, message, {
      status: HttpStatus.CONFLICT,
      details: [{ field: 'state', rule: 'transition', message }],
    });
  }

  static stale() {
    const message = 'the task changed since you read it: read it again';
    return new JointTaskException(JointTaskErrorCode.Stale, message, { status: HttpStatus.CONFLICT, details: [{ field: 'version', rule: 'current', message }] });
  }
}
