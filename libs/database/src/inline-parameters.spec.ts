import { inlineParameters } from './inline-parameters.js';

describe('inlineParameters', () => {
  it('quotes every value, doubling quotes and escaping backslashes, and writes NULL for null', () => {
    expect(inlineParameters('SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3', ["it's", 'a\\b', null])).toBe(
      "SELECT * FROM t WHERE a = 'it''s' AND b =  E'a\\\\b' AND c = NULL",
    );
  });

  it('keeps casts, and writes numbers, booleans, dates and arrays as pg would send them', () => {
    const sql = inlineParameters('SELECT $1::int, $2, $3::timestamptz, $4::text[], $5::uuid', [
      51,
      true,
      new Date('2026-11-25T10:00:00Z'),
      ['a', 'b"c', null],
      'c4f1c2b4-0b1e-4d8e-9a53-0b0f7d1f3d10',
    ]);
    expect(sql).toBe(
      `SELECT '51'::int, 'true', '2026-11-25T10:00:00.000Z'::timestamptz,  E'{"a","b\\\\"c",NULL}'::text[], 'c4f1c2b4-0b1e-4d8e-9a53-0b0f7d1f3d10'::uuid`,
    );
  });

  it('replaces $10 as a whole, not as $1 followed by 0', () => {
    const values = Array.from({ length: 10 }, (_, i) => String(i + 1));
    expect(() => inlineParameters('SELECT $1, $10', values)).toThrow(/a value has no placeholder/);
    expect(inlineParameters('SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10', values)).toBe("SELECT '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'");
  });

  it('leaves $n inside strings and quoted identifiers alone, and drops comments', () => {
    expect(inlineParameters(`SELECT '$1 it''s', "col$1" FROM t WHERE a = $1 -- $1\n`, ['x'])).toBe(`SELECT '$1 it''s', "col$1" FROM t WHERE a = 'x' \n`);
    expect(inlineParameters('SELECT /* $1 */ $1', ['x'])).toBe("SELECT  'x'");
  });

  it("cannot be turned into a second statement by a value", () => {
    const hostile = "'; DROP TABLE incidents; --";
    const sql = inlineParameters('SELECT * FROM incidents WHERE title = $1', [hostile]);
    expect(sql).toBe("SELECT * FROM incidents WHERE title = '''; DROP TABLE incidents; --'");
  });

  it('refuses what it does not lex: several statements, dollar quotes, E strings, missing values, NUL', () => {
    expect(() => inlineParameters('SELECT 1; SELECT 2', [])).toThrow(/one statement/);
    expect(() => inlineParameters('SELECT $$x$$', [])).toThrow(/dollar-quoted/);
    expect(() => inlineParameters("SELECT E'\\''", [])).toThrow(/E'' strings/);
    expect(() => inlineParameters('SELECT $2', ['a'])).toThrow(/no value for \$2/);
    expect(() => inlineParameters('SELECT $1', ['a\0b'])).toThrow(/NUL/);
    expect(() => inlineParameters("SELECT 'open", [])).toThrow(/unterminated/);
  });
});
