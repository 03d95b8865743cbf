import { Temporal } from 'temporal-polyfill';
import { HubException, parseTimeZone } from '#common';

/**
 * A due date as the hub stores it: the instant, and the IANA zone it was given in (the zone says what "09:00"
 * meant, across daylight-saving changes).
 */
export interface DueDate {
  instant: Temporal.Instant;
  timeZone: string;
}

/** Wall time with an optional offset or Z: 2027-03-15T09:00, 2027-03-15T09:00:00, 2027-03-15T09:00:00+01:00. */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?$/;
/**
 * A due date from a local wall time in a zone (or an instant with an offset that agrees with the zone). A time
 * that does not exist in the zone (the spring-forward gap) is refused; a time that exists twice (the fall-back
 * hour) is refused without an offset, with a message saying to give one.
 */
export { parseTimeZone };

export function parseDueDate(value: string, zoneInput: string, field = 'dueAt', zoneField = 'dueTimeZone'): DueDate {
  const timeZone = parseTimeZone(zoneInput, zoneField);
  const m = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  const malformed = () => HubException.invalid(field, 'dateTime', `${field} must be a date and time such as 2027-03-15T09:00 (local to ${zoneField}), optionally with its offset`);
  if (!m) throw malformed();
  let local: Temporal.PlainDateTime;
  try {
    local = Temporal.PlainDateTime.from(m[1], { overflow: 'reject' });
  } catch {
    throw malformed();
  }
  const offset = m[2];
  if (offset === 'Z') {
    // An instant in UTC: the zone then only says how to show it.
    return { instant: local.toZonedDateTime('UTC').toInstant(), timeZone };
  }
  if (offset) {
    const instant = Temporal.Instant.from(`${m[1]}${offset}`);
    const inZone = instant.toZonedDateTimeISO(timeZone);
    if (inZone.offset !== offset) {
      throw HubException.invalid(field, 'offsetMatchesZone', `${field} has the offset ${offset}, but ${timeZone} is at ${inZone.offset} then`);
    }
    return { instant, timeZone };
  }
  const earlier = local.toZonedDateTime(timeZone, { disambiguation: 'earlier' });
  const later = local.toZonedDateTime(timeZone, { disambiguation: 'later' });
  if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), local) !== 0) {
    throw HubException.invalid(field, 'existsInZone', `${m[1]} does not exist in ${timeZone} (the clocks skip it): give a time outside the change`);
  }
  if (earlier.epochNanoseconds !== later.epochNanoseconds) {
    throw HubException.invalid(
      field,
      'unambiguousInZone',
      `${m[1]} happens twice in ${timeZone} (the clocks go back): give the offset, ${earlier.offset} for the first or ${later.offset} for the second`,
    );
  }
  return { instant: earlier.toInstant(), timeZone };
}

/** How a due instant reads in a zone: the wall time and the offset there. */
export function localIn(instant: Temporal.Instant | Date, timeZone: string) {
  const at = instant instanceof Date ? Temporal.Instant.fromEpochMilliseconds(instant.getTime()) : instant;
  const zoned = at.toZonedDateTimeISO(timeZone);
  return { timeZone, local: zoned.toPlainDateTime().toString(), offset: zoned.offset };
}
