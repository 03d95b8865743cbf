import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Derived grants are rewritten by joint incident (`DELETE FROM access WHERE via = 'joint:<id>'` in
 * hub_sync_joint_access and hub_sync_joint_onward), in the transaction of every change in the workspace. Without
 * an index that delete read the whole access table: 114-195 ms per change at 206k rows, growing with the hub
 * rather than the joint incident; with this partial index, 2-3 ms (docs/benchmarks.md, the joint register).
 */
export class AccessViaIndex1764921600000 implements MigrationInterface {
  name = 'AccessViaIndex1764921600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX access_via_idx ON access (via) WHERE via IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX access_via_idx');
  }
}
