import pg from 'pg';

/**
 * A parameterised statement with its `$n` placeholders replaced by quoted literals, for the one place that
 * needs it: `TenantDatabase.read`, which sends the tenant context and the read as one simple-protocol
 * message, where PostgreSQL takes no parameters. Every value becomes a quoted literal (pg's `escapeLiteral`,
 * as text, exactly as pg would have sent it as an untyped parameter), or NULL; the statement is lexed so
 * that a `$n` inside a string, a quoted identifier or a comment is never taken for a placeholder, and a
 * dollar-quoted string, which this lexer does not follow, is refused.
 */
export function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  let out = '';
  let i = 0;
  const used = new Set<number>();
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" && /(^|[^\w$])[eE]$/.test(sql.slice(Math.max(0, i - 2), i))) {
      throw new Error("inlineParameters: E'' strings are not supported");
    } else if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new Error('inlineParameters: unterminated comment');
      i = end + 2;
    } else if (c === '$') {
      const match = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (!match) throw new Error('inlineParameters: dollar-quoted strings are not supported');
      const index = Number(match[1]);
      if (index < 1 || index > parameters.length) throw new Error(`inlineParameters: no value for $${index}`);
      used.add(index);
      out += sqlLiteral(parameters[index - 1]);
      i += match[0].length;
    } else if (c === ';') {
      throw new Error('inlineParameters: one statement only');
    } else {
      out += c;
      i += 1;
    }
  }
  if (used.size !== parameters.length) throw new Error('inlineParameters: a value has no placeholder');
  return out;
}

function closingQuote(sql: string, start: number, quote: string): number {
  for (let i = start + 1; i < sql.length; i += 1) {
    if (sql[i] !== quote) continue;
    if (sql[i + 1] === quote) i += 1;
    else return i + 1;
  }
  throw new Error('inlineParameters: unterminated quote');
}

/** One value as a quoted literal (or NULL), as `inlineParameters` writes it. */
export function sqlLiteral(value: unknown): string {
  const text = textOf(value);
  if (text === null) return 'NULL';
  if (text.includes('\0')) throw new Error('inlineParameters: a value holds a NUL character');
  return pg.escapeLiteral(text);
}

/** The text pg sends for a parameter (its `prepareValue`), for the types the hub's reads use. */
function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('inlineParameters: a number must be finite');
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(',')}}`;
  if (Buffer.isBuffer(value)) throw new Error('inlineParameters: binary values are not supported');
  return JSON.stringify(value);
}

function arrayElement(value: unknown): string {
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(',')}}`;
  const text = textOf(value);
  return text === null ? 'NULL' : `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
