import { HubException } from '#common';
import { csvFileName, toCsv } from './figures-csv.js';
import { reviewWindow } from './management-review.service.js';

describe('the figures as CSV', () => {
  it('writes one section,key,value table, quoting as RFC 4180 asks, lines ending in CRLF', () => {
    const csv = toCsv([
      ['incidents.byCategory', 'plain', 3],
      ['odd', 'a,b', 'say "hi"'],
      ['odd', 'line\nbreak', null],
    ]);
    expect(csv).toBe('section,key,value\r\nincidents.byCategory,plain,3\r\nodd,"a,b","say ""hi"""\r\nodd,"line\nbreak",\r\n');
  });

  it('names the file after the window, with nothing a header would need to quote', () => {
    expect(csvFileName('figures', { from: '2025-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' })).toBe(
      'management-review-figures_20250101T000000Z_20260101T000000Z.csv',
    );
  });
});

describe('the review window', () => {
  const problem = (from: string, to: string) => {
    try {
      reviewWindow({ from, to });
    } catch (error) {
      return (error as HubException).details?.[0];
    }
    return undefined;
  };

  it('is [from, to): to after from, at most five calendar years later', () => {
    expect(reviewWindow({ from: '2025-01-01T00:00:00.000Z', to: '2030-01-01T00:00:00.000Z' }).to.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(problem('2025-01-01T00:00:00.000Z', '2030-01-01T00:00:00.001Z')).toMatchObject({ field: 'to', rule: 'windowAtMostFiveYears' });
    expect(problem('2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')).toMatchObject({ field: 'to', rule: 'afterFrom' });
    expect(problem('2025-01-02T00:00:00.000Z', '2025-01-01T00:00:00.000Z')).toMatchObject({ field: 'to', rule: 'afterFrom' });
  });
});
