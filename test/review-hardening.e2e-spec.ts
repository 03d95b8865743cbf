import { DataSource } from 'typeorm';
import { ReviewHardening1765872000000 } from '../libs/database/src/migrations/1765872000000-review-hardening.js';
import { createTestDatabase } from './support/test-database.js';

/**
 * The review hardening's migration (1765872000000) undoes cleanly: down() leaves the review as migration
 * 1765440000000 wrote it, and up() hardens it again. Its behaviour is tested in joint-review.e2e-spec.ts.
 */
describe('the review hardening migration', () => {
  it("down() takes the locks, functions, trigger, phase checks and quote withholding away, and up() puts them back", async () => {
    const db = await createTestDatabase();
    const owner = await new DataSource({ type: 'postgres', url: db.ownerUrl }).initialize();
    try {
      const state = async () =>
        (
          await owner.query(`SELECT
            (SELECT count(*)::int FROM pg_policies WHERE policyname IN ('joint_incidents_review_lock', 'joint_reports_review_lock')) AS locks,
            (SELECT count(*)::int FROM pg_proc WHERE proname IN ('hub_joint_review_phase', 'hub_joint_review_open', 'hub_joint_quoted_fields', 'hub_joint_contribution_quoted_final')) AS functions,
            (SELECT count(*)::int FROM pg_trigger WHERE tgname = 'joint_contributions_quoted_final') AS triggers,
            pg_get_viewdef('shared_joint_reports') LIKE '%withheld%' AS withholds,
            (SELECT count(*)::int FROM pg_policies WHERE policyname IN ('joint_contributions_owner', 'joint_reports_owner') AND with_check LIKE '%hub_joint_review_open%') AS phase_checks`)
        )[0];
      const hardened = { locks: 2, functions: 4, triggers: 1, withholds: true, phase_checks: 2 };
      expect(await state()).toEqual(hardened);
      const runner = owner.createQueryRunner();
      await new ReviewHardening1765872000000().down(runner);
      expect(await state()).toEqual({ locks: 0, functions: 0, triggers: 0, withholds: false, phase_checks: 0 });
      await new ReviewHardening1765872000000().up(runner);
      expect(await state()).toEqual(hardened);
      await runner.release();
    } finally {
      await owner.destroy();
      await db.drop();
    }
  });
});
