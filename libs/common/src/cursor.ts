import { HubException } from './hub.exception.js';
import { parseInstant } from './instant.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export class Page<T> {
  constructor(
    readonly items: T[],
    readonly nextCursor: string | null,
  ) {}

  map<U>(project: (item: T) => U): Page<U> {
    return new Page(this.items.map(project), this.nextCursor);
  }

  toJSON(): { items: T[]; nextCursor: string | null } {
    return { items: this.items, nextCursor: this.nextCursor };
  }
}

/** Keyset position of the last row of a page: the sort key and the id that breaks ties. */
export interface CursorPosition {
  key: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.key, position.id]), 'utf8').toString('base64url');
}

/** An opaque cursor that does not decode to a position is the client's mistake: 400, never a 500. */
export function decodeCursor(cursor: string | undefined): CursorPosition | null {
  if (cursor === undefined || cursor === '') return null;
  const bad = () => HubException.invalid('cursor', 'isCursor', 'cursor is not a cursor this hub issued');
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    typeof decoded[0] !== 'string' ||
    typeof decoded[1] !== 'string' ||
    decoded[0].includes('\u0000') ||
    !UUID.test(decoded[1])
  ) {
    throw bad();
  }
  return { key: decoded[0], id: decoded[1] };
}

/** Turns `limit + 1` fetched rows into a page and the cursor of the next one. */
export function toPage<T extends { id: string }>(rows: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return new Page(items, rows.length > limit && last ? encodeCursor({ key: keyOf(last), id: last.id }) : null);
}

/** How PostgreSQL writes a timestamptz as text (`updated_at::text`), the only sort key time cursors carry. */
const TIMESTAMPTZ_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([+-]\d{2})(:\d{2})?$/;

/**
 * A cursor over a time-ordered list: its key must be a timestamp as the hub wrote it, naming a real instant
 * by the one strict parser, or the answer is 400. The key goes to the database as written (microseconds).
 */
export function decodeTimeCursor(cursor: string | undefined): CursorPosition | null {
  const after = decodeCursor(cursor);
  if (!after) return null;
  const m = TIMESTAMPTZ_TEXT.exec(after.key);
  if (!m || parseInstant(`${m[1]}T${m[2]}${m[3]}${m[4] ?? ':00'}`) === null) {
    throw HubException.invalid('cursor', 'isCursor', 'cursor is not a cursor this hub issued');
  }
  return after;
}
