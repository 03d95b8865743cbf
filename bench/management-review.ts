import type pg from 'pg';
import { type BenchCaller, type JointRegisterBench, principalOf } from './joint-register.js';

/**
 * The figures for management review (issue 11 section 5) on the 1M-incident hub, run by register-bench.ts last:
 * the member's figures over the last 90 days and the last year (its generated incidents are aware over about
 * 375 days; half of them are given a containment time here, so the medians have something to measure),
 * as JSON and as CSV, and the coordinator's joint figures over its 10k generated joint incidents. Each is
 * measured through HTTP, interleaved with the member's incident register page (the baseline of the same run).
 */
export async function benchManagementReview(bench: JointRegisterBench): Promise<void> {
  const { superuser } = bench;
  const started = Date.now();
  // A fresh login: the run's first token may have expired by now (ACCESS_TOKEN_TTL_SECONDS).
  const member = await principalOf(bench, bench.member.principal.kind === 'user' ? bench.member.principal.email : '');
  const coordinator = await principalOf(bench, 'coordinator@national-csirt.demo');
  const contained = await containSome(superuser, member.principal.orgId);
  await superuser.query('VACUUM ANALYZE incidents');
  const now = Date.now();
  const ago = (days: number) => new Date(now - days * 86_400_000).toISOString();
  const to = new Date(now + 60_000).toISOString();
  const inWindow = async (days: number) =>
    (
      await superuser.query('SELECT count(*)::int AS n FROM incidents WHERE org_id = $1 AND aware_at >= $2 AND aware_at < $3 AND NOT exercise', [
        member.principal.orgId,
        ago(days),
        to,
      ])
    ).rows[0].n as number;
  bench.report(`management review data: ${contained.toLocaleString('en')} of the member's incidents given a containment time`);

  const register = { url: `${bench.hub}/api/v1/incidents?limit=50`, headers: member.auth };
  const pages: { label: string; who: BenchCaller; path: string; days?: number }[] = [
    { label: "member's figures, last 90 days, JSON", who: member, path: `/api/v1/management-review/figures?from=${ago(90)}&to=${to}`, days: 90 },
    { label: "member's figures, last year, JSON", who: member, path: `/api/v1/management-review/figures?from=${ago(365)}&to=${to}`, days: 365 },
    { label: "member's figures, last year, CSV", who: member, path: `/api/v1/management-review/figures?from=${ago(365)}&to=${to}&format=csv`, days: 365 },
    { label: "coordinator's joint figures, last year", who: coordinator, path: `/api/v1/management-review/joint-figures?from=${ago(365)}&to=${to}` },
  ];
  for (const page of pages) {
    const url = `${bench.hub}${page.path}`;
    const first = await fetch(url, { headers: page.who.auth });
    if (first.status !== 200) throw new Error(`${url} answered ${first.status}: ${await first.text()}`);
    await first.arrayBuffer();
    const [base, figures] = await bench.interleavedLatency([register, { url, headers: page.who.auth }]);
    const of = page.days ? `${(await inWindow(page.days)).toLocaleString('en')} incidents aware in the window` : 'joint incidents opened in the window';
    bench.report(
      `${page.label} (${page.who.email}; ${of}), interleaved with the member's register page: ` +
        `p50 ${figures.p50.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms; register p50 ${base.p50.toFixed(1)} ms, p95 ${base.p95.toFixed(1)} ms`,
    );
  }
  bench.report(`management review part of the run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Half of the member's incidents (by a hash of the id) get a containment time 1 to 72 hours after awareness. Not by
 * phase: the generator gives all of one organisation's incidents the same phase, as it does the same severity.
 */
async function containSome(client: pg.Client, orgId: string): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE incidents SET contained_at = aware_at + make_interval(mins => 60 + abs(hashtext(id::text)) % 4260)
      WHERE org_id = $1 AND abs(hashtext(id::text)) % 2 = 0 AND aware_at IS NOT NULL AND contained_at IS NULL`,
    [orgId],
  );
  return rowCount ?? 0;
}
