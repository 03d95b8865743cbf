import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '#common';
import { DEMO_JOINT_TITLE, DEMO_REVIEWED_TITLE } from '#hub/demo-coordination.js';

/**
 * The README's first command, as a new user runs it: the built hub with no configuration starts its own
 * PostgreSQL, migrates, seeds and prints the demo logins; a restart keeps the data and seeds nothing twice.
 */
describe('npm start on the embedded default', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'hub-start-'));
    port = await freePort();
    const { DATABASE_URL: _db, MIGRATION_DATABASE_URL: _mig, TEST_DATABASE_URL: _test, HUB_TEST_DATABASE: _hub, ...rest } = process.env;
    env = { ...rest, HUB_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), PORT: String(port), LOG_LEVEL: 'warn', HUB_MODE: 'development' };
  });

  afterAll(async () => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    // A PostgreSQL orphaned by a failed case must not outlive the run.
    const pid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  function startHub(): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn(process.execPath, ['dist/apps/hub/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hub did not start in time:\n${output}`)), 60_000);
      child.on('exit', (code) => reject(new Error(`hub exited with ${code}:\n${output}`)));
      const poll = setInterval(() => {
        if (output.includes('Coordination hub listening')) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve({ child, output: () => output });
        }
      }, 50);
    });
  }

  async function login(email: string, password: string) {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    return { status: res.status, body: (await res.json()) as { accessToken: string } };
  }

  function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
    return new Promise((resolve) => {
      child.removeAllListeners('exit');
      child.on('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }

  it('starts, seeds, prints the logins, and a printed login works', async () => {
    const hub = await startHub();
    const printed = hub.output();
    expect(printed).toContain('Demo seeded now');
    const password = /password for every demo login: (\S+)/.exec(printed)?.[1] as string;
    const email = /(handler@northbank\.demo)/.exec(printed)?.[1] as string;
    expect(password).toBeTruthy();
    const res = await login(email, password);
    expect(res.status).toBe(200);
    // The coordination demo is seeded too: the printed handler takes part in its joint incident.
    expect(printed).toContain('Coordination demo');
    const joint = await fetch(`http://127.0.0.1:${port}/api/v1/joint-incidents`, { headers: { authorization: `Bearer ${res.body.accessToken}` } });
    expect(((await joint.json()) as { items: { title: string }[] }).items.map((j) => j.title).sort()).toEqual([DEMO_JOINT_TITLE, DEMO_REVIEWED_TITLE].sort());
    expect(printed).not.toMatch(/"level":50/);
    expect(await stop(hub.child, 'SIGTERM')).toBe(0);
  });

  it('keeps its data across a restart and does not seed twice', async () => {
    const hub = await startHub();
    expect(hub.output()).toContain('Demo was seeded on an earlier start');
    const res = await login('operator@hub.demo', 'demo-hub-2026');
    const directory = await fetch(`http://127.0.0.1:${port}/api/v1/organisations`, { headers: { authorization: `Bearer ${res.body.accessToken}` } });
    const body = (await directory.json()) as { items: unknown[] };
    expect(body.items).toHaveLength(5);
    expect(await stop(hub.child, 'SIGKILL')).toBeNull();
  });

  it('starts again after being killed, taking over the PostgreSQL the killed process left behind', async () => {
    const hub = await startHub();
    expect((await login('viewer@gridpower.demo', 'demo-hub-2026')).status).toBe(200);
    expect(await stop(hub.child, 'SIGTERM')).toBe(0);
  });
});
