import { Temporal } from 'temporal-polyfill';
import { HubException } from './hub.exception.js';

/** An IANA name (Area/Location, or UTC); offsets such as +01:00 are not zones. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** The zone as the zone database spells it, or a 400 naming `field`. */
export function parseTimeZone(zone: unknown, field: string): string {
  const bad = () => HubException.invalid(field, 'ianaTimeZone', `${field} must be an IANA time zone such as Europe/Berlin`);
  if (typeof zone !== 'string' || zone.length > 64 || !ZONE_NAME.test(zone)) throw bad();
  try {
    return Temporal.ZonedDateTime.from({ year: 2000, month: 1, day: 1, timeZone: zone }).timeZoneId;
  } catch {
    throw bad();
  }
}
