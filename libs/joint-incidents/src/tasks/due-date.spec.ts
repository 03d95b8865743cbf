import { parseDueDate, parseTimeZone, localIn } from './due-date.js';

function problem(run: () => unknown) {
  try {
    run();
    return null;
  } catch (error) {
    const { status, details } = error as { status: number; details: { field: string; rule: string; message: string }[] };
    return { status, field: details[0].field, rule: details[0].rule, message: details[0].message };
  }
}

describe('due dates with an IANA zone', () => {
  it('takes IANA zones and refuses anything else, naming dueTimeZone', () => {
    expect(parseTimeZone('Europe/Berlin', 'dueTimeZone')).toBe('Europe/Berlin');
    expect(parseTimeZone('America/New_York', 'dueTimeZone')).toBe('America/New_York');
    expect(parseTimeZone('UTC', 'dueTimeZone')).toBe('UTC');
    for (const zone of ['Mars/Olympus', '+01:00', '', 'Europe/', 'x'.repeat(80), 'Europe/Berlin; DROP']) {
      expect(problem(() => parseTimeZone(zone, 'dueTimeZone'))).toMatchObject({ status: 400, field: 'dueTimeZone', rule: 'ianaTimeZone' });
    }
  });

  it('reads a local wall time in its zone, across the two DST calendars', () => {
    // 2027: the US springs forward on 14 March, the EU on 28 March. 09:00 on 15 March is EDT (-4) and CET (+1).
    expect(parseDueDate('2027-03-15T09:00', 'America/New_York').instant.toString()).toBe('2027-03-15T13:00:00Z');
    expect(parseDueDate('2027-03-15T09:00', 'Europe/Berlin').instant.toString()).toBe('2027-03-15T08:00:00Z');
    const due = parseDueDate('2027-03-15T09:00', 'America/New_York');
    expect(localIn(due.instant, 'Europe/Berlin')).toEqual({ timeZone: 'Europe/Berlin', local: '2027-03-15T14:00:00', offset: '+01:00' });
    // Autumn: the EU falls back on 31 October, the US on 7 November; 1 November 09:00 in Berlin is CET (+1), New York EDT (-4).
    const autumn = parseDueDate('2027-11-01T09:00', 'Europe/Berlin');
    expect(autumn.instant.toString()).toBe('2027-11-01T08:00:00Z');
    expect(localIn(autumn.instant, 'America/New_York')).toEqual({ timeZone: 'America/New_York', local: '2027-11-01T04:00:00', offset: '-04:00' });
  });

  it('refuses a time in the spring-forward gap and a malformed date, naming dueAt', () => {
    expect(problem(() => parseDueDate('2027-03-28T02:30', 'Europe/Berlin'))).toMatchObject({ status: 400, field: 'dueAt', rule: 'existsInZone' });
    expect(problem(() => parseDueDate('2027-03-14T02:30', 'America/New_York'))).toMatchObject({ field: 'dueAt', rule: 'existsInZone' });
    for (const bad of ['2027-02-30T09:00', '2027-13-01T09:00', 'tomorrow', '2027-03-15 09:00', '2027-03-15T25:00', '2027-03-15T09:00+1']) {
      expect(problem(() => parseDueDate(bad, 'Europe/Berlin'))).toMatchObject({ status: 400, field: 'dueAt', rule: 'dateTime' });
    }
  });

  it('refuses an ambiguous fall-back time without an offset, and takes it with one that agrees', () => {
    const ambiguous = problem(() => parseDueDate('2027-10-31T02:30', 'Europe/Berlin'));
    expect(ambiguous).toMatchObject({ status: 400, field: 'dueAt', rule: 'unambiguousInZone' });
    expect(ambiguous!.message).toMatch(/give the offset, \+02:00 .* \+01:00/);
    expect(parseDueDate('2027-10-31T02:30+02:00', 'Europe/Berlin').instant.toString()).toBe('2027-10-31T00:30:00Z');
    expect(parseDueDate('2027-10-31T02:30+01:00', 'Europe/Berlin').instant.toString()).toBe('2027-10-31T01:30:00Z');
    expect(problem(() => parseDueDate('2027-10-31T02:30+05:00', 'Europe/Berlin'))).toMatchObject({ field: 'dueAt', rule: 'offsetMatchesZone' });
    expect(parseDueDate('2027-10-31T00:30:00Z', 'Europe/Berlin').instant.toString()).toBe('2027-10-31T00:30:00Z');
  });
});
