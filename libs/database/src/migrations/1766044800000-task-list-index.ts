import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coordinator's view of every task of its joint incidents walked all of them and sorted: 600 ms for a page at
 * 100k tasks (docs/benchmarks.md, "Tasks"). Its own tasks (the ones it assigned) now come in due order from this
 * index, and only the page's rows are read in full.
 */
export class TaskListIndex1766044800000 implements MigrationInterface {
  name = 'TaskListIndex1766044800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX joint_tasks_assigner_idx ON joint_tasks (org_id, due_at, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX joint_tasks_assigner_idx');
  }
}
