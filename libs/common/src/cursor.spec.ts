import { HubException } from './hub.exception.js';
import { decodeCursor, decodeTimeCursor, encodeCursor, toPage } from './cursor.js';

const id = '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f';

describe('cursors', () => {
  it('round-trips a position', () => {
    expect(decodeCursor(encodeCursor({ key: 'Northbank', id }))).toEqual({ key: 'Northbank', id });
  });

  it('treats a missing cursor as the first page', () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });

  it.each(['garbage!', 'e30', Buffer.from('["a","not-a-uuid"]').toString('base64url'), 'x'.repeat(600)])(
    'refuses %s as a client error naming the cursor',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(HubException);
      try {
        decodeCursor(cursor);
      } catch (error) {
        expect((error as HubException).status).toBe(400);
        expect((error as HubException).details?.[0].field).toBe('cursor');
      }
    },
  );

  it('gives a next cursor only when there is a next page', () => {
    const rows = [{ id, name: 'a' }, { id, name: 'b' }, { id, name: 'c' }];
    expect(toPage(rows, 2, (r) => r.name).nextCursor).not.toBeNull();
    expect(toPage(rows, 3, (r) => r.name).nextCursor).toBeNull();
    expect(toPage(rows, 2, (r) => r.name).items).toHaveLength(2);
  });
});

describe('time cursors', () => {
  it('accept a timestamp as PostgreSQL writes it', () => {
    for (const key of ['2026-11-23 08:00:00.123456+00', '2026-11-23 08:00:00+01', '2026-11-23 08:00:00.5-05:30']) {
      expect(decodeTimeCursor(encodeCursor({ key, id }))).toEqual({ key, id });
    }
  });

  it.each(['1', 'foo 1', 'x', '2026-11-23', '2026-13-45 99:00:00+00', '2026-02-30 10:00:00+00', '0000-01-01 00:00:00+00', '2026-11-23 08:00:00+16', '2026-11-23 08:00:00+01:00:30'])('refuse the key %s with a 400, never a database error', (key) => {
    expect(() => decodeTimeCursor(encodeCursor({ key, id }))).toThrow(HubException);
  });
});
