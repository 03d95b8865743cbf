import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/**
 * The one parser of instants the hub accepts from outside: RFC 3339 date-time with a real calendar date, no
 * leap second, and an offset within ±14:00 (the widest in use), inside the years PostgreSQL and JavaScript
 * agree on. JavaScript's own parser accepts `2026-02-30` and week dates that PostgreSQL refuses with a 500.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z: PostgreSQL has no year 0, RFC 3339 no year 10000. */
const EARLIEST = -62_135_596_800_000;
const LATEST = 253_402_300_799_999;
const MAX_OFFSET_MINUTES = 14 * 60;

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number) => [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];

/** The instant a strict RFC 3339 text names, or null for anything else. */
export function parseInstant(text: unknown): Date | null {
  if (typeof text !== 'string' || text.length > 40) return null;
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!m[8]) {
    const [hours, minutes] = [Number(m[10]), Number(m[11])];
    if (minutes > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (hours * 60 + minutes);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return null;
  }
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, millis);
  const instant = local.getTime() - offsetMinutes * 60_000;
  return instant >= EARLIEST && instant <= LATEST ? new Date(instant) : null;
}

export const INSTANT_EXAMPLE = '2026-11-23T09:30:00Z';

export const instantRule = (field: string) =>
  `${field} must be an RFC 3339 date and time with a real calendar date and an offset within ±14:00, such as ${INSTANT_EXAMPLE}`;

/**
 * A DTO field that holds an instant: validated by `parseInstant` (rule `isInstant`) and handed on in one
 * normal form (UTC, milliseconds), so what the database stores and what the log hashes are the same text.
 */
export function IsInstant(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => {
      const instant = parseInstant(value);
      return instant ? instant.toISOString() : value;
    }),
    ValidateBy({
      name: 'isInstant',
      validator: {
        validate: (value) => parseInstant(value) !== null,
        defaultMessage: (args) => instantRule(args?.property ?? 'value'),
      },
    }),
  );
}
