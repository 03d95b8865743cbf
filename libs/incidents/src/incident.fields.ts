/** Phases of ISO/IEC 27035-1, and the moves between them the hub allows. */
export const PHASES = ['detect_report', 'assess_decide', 'respond', 'learn_lessons', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_TRANSITIONS: Readonly<Record<Phase, readonly Phase[]>> = {
  detect_report: ['assess_decide'],
  // Assessment may find nothing to respond to and go straight to lessons learned.
  assess_decide: ['respond', 'learn_lessons'],
  respond: ['learn_lessons', 'assess_decide'],
  learn_lessons: ['closed', 'respond'],
  closed: [],
};

// Which incident fields leave the owner, and which only when a release names them, is the sharing policy's
// allow-list (SHARED_FIELDS and RELEASABLE_FIELDS in libs/sharing), not a list kept here.
