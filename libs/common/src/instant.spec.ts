import fc from 'fast-check';
import { parseInstant } from './instant.js';

describe('the one instant parser', () => {
  it.each([
    ['2026-11-23T09:30:00Z', '2026-11-23T09:30:00.000Z'],
    ['2026-11-23t09:30:00.123456z', '2026-11-23T09:30:00.123Z'],
    ['2024-02-29T23:59:59+14:00', '2024-02-29T09:59:59.000Z'],
    ['2026-01-01T00:00:00-14:00', '2026-01-01T14:00:00.000Z'],
    ['2026-03-29T02:30:00+05:45', '2026-03-28T20:45:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-02-30T00:00:00Z', // no such day
    '2025-02-29T00:00:00Z', // not a leap year
    '1900-02-29T00:00:00Z', // century, not a leap year
    '0000-01-01T00:00:00Z', // PostgreSQL has no year 0
    '0001-01-01T00:00:00+00:01', // before year 1 in UTC
    '9999-12-31T23:59:59-00:01', // after year 9999 in UTC
    '2026-11-23T09:30:00+16:00',
    '2026-11-23T09:30:00+14:01',
    '2026-11-23T09:30:00+16',
    '2026-11-23T09:30:00+0100',
    '2026-11-23T24:00:00Z',
    '2026-11-23T23:59:60Z', // leap seconds are not instants JavaScript or the hub can hold
    '2026-11-23T09:30Z',
    '2026-11-23T09:30:00', // no offset: which instant?
    '2026-11-23 09:30:00Z',
    '2026-W05',
    '2026',
    '2026-01',
    '2026-11-23',
    '+002026-11-23T09:30:00Z',
    '2026-11-23T09:30:00.1234567890Z',
    '２０２６-11-23T09:30:00Z',
  ])('refuses %s', (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it('reads back every instant it writes, over the whole range', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        expect(parseInstant(date.toISOString())?.getTime()).toBe(date.getTime());
      }),
    );
  });

  it('answers null, never throws, for any string, and accepts only the RFC 3339 shape', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const instant = parseInstant(text);
        if (instant !== null) expect(text).toMatch(/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
      }),
    );
  });
});
