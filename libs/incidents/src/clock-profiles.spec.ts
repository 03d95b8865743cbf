import { clockStates, dueAt } from './clock-profiles.js';

describe('regulatory clocks', () => {
  const aware = new Date('2026-01-31T10:00:00Z');

  it('computes the NIS2 due times from awareness: 24 h, 72 h, one calendar month', () => {
    const states = clockStates(['nis2'], aware, [], new Date('2026-01-31T11:00:00Z'));
    expect(states.map((s) => [s.milestone, s.dueAt, s.status])).toEqual([
      ['early-warning', '2026-02-01T10:00:00.000Z', 'pending'],
      ['notification', '2026-02-03T10:00:00.000Z', 'pending'],
      ['final-report', '2026-03-03T10:00:00.000Z', 'pending'],
    ]);
  });

  it('says which milestones are overdue, sent, or sent late', () => {
    const now = new Date('2026-02-04T00:00:00Z');
    const states = clockStates(['nis2', 'gdpr'], aware, [
      { profile: 'nis2', milestone: 'early-warning', sentAt: new Date('2026-02-01T09:00:00Z'), reference: 'EW-1' },
      { profile: 'gdpr', milestone: 'breach-notification', sentAt: new Date('2026-02-03T11:00:00Z'), reference: 'DPA-7' },
    ], now);
    expect(states.map((s) => `${s.profile}/${s.milestone}:${s.status}`)).toEqual([
      'nis2/early-warning:sent',
      'nis2/notification:overdue',
      'nis2/final-report:pending',
      'gdpr/breach-notification:sent_late',
    ]);
  });

  it('has not started before the organisation is aware', () => {
    expect(clockStates(['gdpr'], null, [], new Date())[0].status).toBe('not_started');
    expect(dueAt(new Date('2026-03-31T00:00:00Z'), { hours: 72 }).toISOString()).toBe('2026-04-03T00:00:00.000Z');
  });
});
