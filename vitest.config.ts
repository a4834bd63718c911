import { availableParallelism } from 'node:os'
import { configDefaults, defineConfig } from 'vitest/config'

/**
 * The two test tiers, told apart by file name (docs/testing.md):
 * - `e2e`: `*.e2e.test.ts`, the tests that start a child process (the CLI, the daemon, a fixture script);
 * - `unit`: every other `*.test.ts`, in-process only.
 * `npm test` runs both; `npm run test:unit` and `npm run test:e2e` run one. scripts/check-test-tiers.ts (run by
 * `npm test`) fails when a test file is in neither tier or both, or sits in the tier its imports contradict.
 */
const E2E_FILES = ['{src,test}/**/*.e2e.test.ts']
const UNIT_FILES = ['{src,test}/**/*.test.ts']

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: availableParallelism(),
    reporters: ['default', './test/summary-reporter.ts'],
    // One real PostgreSQL server per run for the tests that use it (test/helpers/postgres.ts, docs/testing.md).
    globalSetup: ['./test/helpers/postgres-global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT_FILES, exclude: [...configDefaults.exclude, '**/*.e2e.test.ts'] },
      },
      { extends: true, test: { name: 'e2e', include: E2E_FILES } },
    ],
  },
})
