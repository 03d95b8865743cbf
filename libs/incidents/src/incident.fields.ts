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

/**
 * Fields that never leave the owner organisation unless it releases them explicitly (DESIGN section 4).
 * This list is the one place that says so; projections for recipients are built by allow-list and must
 * leave these out.
 */
export const INTERNAL_ONLY_FIELDS = ['internalNotes', 'reporter', 'affectedAssets'] as const;
