import http from 'node:http';
import pg from 'pg';

/**
 * The baseline of the read benchmark: a bare Node HTTP server doing the same primary-key select as the
 * hub's GET /api/v1/incidents/{id}, with no framework, no authentication and no tenant transaction.
 */
const pool = new pg.Pool({ connectionString: process.env.BARE_DATABASE_URL, max: 20 });
const port = Number(process.env.PORT ?? 0);
const route = /^\/incidents\/([0-9a-f-]{36})$/;

const server = http.createServer(async (req, res) => {
  const match = route.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  try {
    const { rows } = await pool.query('SELECT * FROM incidents WHERE id = $1', [match[1]]);
    if (!rows[0]) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows[0]));
  } catch {
    res.writeHead(500).end();
  }
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`bare listening on ${(server.address() as { port: number }).port}\n`);
});
