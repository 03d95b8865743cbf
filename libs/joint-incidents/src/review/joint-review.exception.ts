import { HttpStatus } from '@nestjs/common';
import { type FieldProblem, HubException } from '#common';

export enum JointReviewErrorCode {
  NotInReview = 'JOINT_REVIEW_NOT_OPEN',
  AlreadyContributed = 'JOINT_CONTRIBUTION_EXISTS',
  ReportExists = 'JOINT_REPORT_EXISTS',
  StaleVersion = 'STALE_VERSION',
  NotNearMiss = 'JOINT_CONTRIBUTION_NOT_OWN_NEAR_MISS',
  QuoteNotReadable = 'JOINT_REPORT_QUOTE_NOT_READABLE',
  ReportPublished = 'JOINT_REPORT_PUBLISHED',
  ReportRequired = 'JOINT_REPORT_REQUIRED_TO_CLOSE',
  QuotedFinal = 'JOINT_CONTRIBUTION_QUOTED',
}

/** Refusals of the lessons-learned review: contributions and the joint report. */
export class JointReviewException extends HubException {
  static notInReview(phase: string) {
    const message = `the review is written while the joint incident is in phase learn_lessons; it is in ${phase}`;
    return new JointReviewException(JointReviewErrorCode.NotInReview, message, {
      status: HttpStatus.CONFLICT,
      details: [{ field: 'phase', rule: 'learnLessons', message }],
    });
  }

  static alreadyContributed() {
    const message = 'your organisation already contributed to this review: send its version to replace it';
    return new JointReviewException(JointReviewErrorCode.AlreadyContributed, message, {
      status: HttpStatus.CONFLICT,
      details: [{ field: 'version', rule: 'requiredToReplace', message }],
    });
  }

  static reportExists() {
    const message = 'this joint incident already has its report: send its version to replace it';
    return new JointReviewException(JointReviewErrorCode.ReportExists, message, {
      status: HttpStatus.CONFLICT,
      details: [{ field: 'version', rule: 'requiredToReplace', message }],
    });
  }

  static stale(what: string, current: number) {
    return new JointReviewException(JointReviewErrorCode.StaleVersion, `the ${what} was changed since you read it (now at version ${current}); reload and apply your change again`, {
      status: HttpStatus.CONFLICT,
      details: [{ field: 'version', rule: 'current', message: `the current version is ${current}` }],
    });
  }

  /** The same answer whether the id is missing, another organisation's, or not a near miss: it tells nothing of whose it is. */
  static notNearMiss(problems: FieldProblem[]) {
    return new JointReviewException(JointReviewErrorCode.NotNearMiss, 'nearMissIds names only event reports your organisation triaged as near misses', {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: problems,
    });
  }

  static quoteNotReadable(problems: FieldProblem[]) {
    return new JointReviewException(JointReviewErrorCode.QuoteNotReadable, 'a quote names a contribution you may read, one of its fields, and a range inside it', {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: problems,
    });
  }

  static published() {
    return new JointReviewException(JointReviewErrorCode.ReportPublished, 'the joint report is published and final; it can no longer be changed', {
      status: HttpStatus.CONFLICT,
    });
  }

  /** A field the published joint report quotes is final: the report shows what was published. */
  static quoted(fields: string[]) {
    const message = 'the published joint report quotes this field of your contribution: it can no longer change';
    return new JointReviewException(JointReviewErrorCode.QuotedFinal, `the published joint report quotes ${fields.join(', ')} of your contribution: those fields can no longer change`, {
      status: HttpStatus.CONFLICT,
      details: fields.map((field) => ({ field, rule: 'quotedInPublishedReport', message })),
    });
  }

  static reportRequiredToClose() {
    const message = 'closing a joint incident needs its joint report published first (POST /api/v1/joint-incidents/{id}/report/publish)';
    return new JointReviewException(JointReviewErrorCode.ReportRequired, message, {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      details: [{ field: 'phase', rule: 'publishedReportToClose', message }],
    });
  }
}
