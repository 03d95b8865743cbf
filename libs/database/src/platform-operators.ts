import pg from 'pg';

/**
 * Platform operators belong to no organisation and the application role cannot write them: they are
 * created with the owner's connection, by the CLI or the demo seed.
 */
export async function upsertPlatformOperator(
  ownerUrl: string,
  operator: { email: string; displayName: string; passwordHash: string },
): Promise<string> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const taken = await client.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [operator.email]);
    if (taken.rowCount) throw new Error(`${operator.email} is already a user's email; an operator needs an email of its own`);
    const existing = await client.query<{ id: string }>('SELECT id FROM platform_operators WHERE lower(email) = lower($1)', [operator.email]);
    if (existing.rows[0]) {
      await client.query("UPDATE platform_operators SET display_name = $2, password_hash = $3, status = 'active' WHERE id = $1", [
        existing.rows[0].id,
        operator.displayName,
        operator.passwordHash,
      ]);
      return existing.rows[0].id;
    }
    const inserted = await client.query<{ id: string }>(
      'INSERT INTO platform_operators (email, display_name, password_hash) VALUES ($1, $2, $3) RETURNING id',
      [operator.email, operator.displayName, operator.passwordHash],
    );
    return inserted.rows[0].id;
  } finally {
    await client.end();
  }
}
