/**
 * Regulatory reporting clocks as data, not code: each profile lists its milestones and how long after the
 * organisation became aware each is due. NIS2 (EU 2022/2555 art. 23) is the default; add regimes here.
 */
export interface ClockMilestone {
  id: string;
  name: string;
  after: { hours?: number; months?: number };
}

export interface ClockProfile {
  id: string;
  name: string;
  milestones: ClockMilestone[];
}

export const CLOCK_PROFILES: readonly ClockProfile[] = [
  {
    id: 'nis2',
    name: 'NIS2 (Directive (EU) 2022/2555, article 23)',
    milestones: [
      { id: 'early-warning', name: 'Early warning', after: { hours: 24 } },
      { id: 'notification', name: 'Incident notification', after: { hours: 72 } },
      { id: 'final-report', name: 'Final report', after: { months: 1 } },
    ],
  },
  {
    id: 'gdpr',
    name: 'GDPR personal data breach (Regulation (EU) 2016/679, article 33)',
    milestones: [{ id: 'breach-notification', name: 'Notification to the supervisory authority', after: { hours: 72 } }],
  },
];

export function clockProfile(id: string): ClockProfile | undefined {
  return CLOCK_PROFILES.find((profile) => profile.id === id);
}

export function dueAt(awareAt: Date, after: ClockMilestone['after']): Date {
  const due = new Date(awareAt.getTime());
  if (after.months) due.setUTCMonth(due.getUTCMonth() + after.months);
  if (after.hours) due.setTime(due.getTime() + after.hours * 3_600_000);
  return due;
}

export interface ClockState {
  profile: string;
  milestone: string;
  name: string;
  dueAt: string | null;
  sentAt: string | null;
  reference: string | null;
  status: 'not_started' | 'pending' | 'overdue' | 'sent' | 'sent_late';
}

/** Where each milestone of each running profile stands at `now`. */
export function clockStates(
  profiles: string[],
  awareAt: Date | null,
  submissions: { profile: string; milestone: string; sentAt: Date; reference: string }[],
  now: Date,
): ClockState[] {
  return profiles.flatMap((id) => {
    const profile = clockProfile(id);
    if (!profile) return [];
    return profile.milestones.map((milestone) => {
      const due = awareAt ? dueAt(awareAt, milestone.after) : null;
      const sent = submissions.find((s) => s.profile === id && s.milestone === milestone.id);
      const status: ClockState['status'] = !due
        ? 'not_started'
        : sent
          ? sent.sentAt > due
            ? 'sent_late'
            : 'sent'
          : now > due
            ? 'overdue'
            : 'pending';
      return {
        profile: id,
        milestone: milestone.id,
        name: milestone.name,
        dueAt: due?.toISOString() ?? null,
        sentAt: sent?.sentAt.toISOString() ?? null,
        reference: sent?.reference ?? null,
        status,
      };
    });
  });
}
