// Adds up what every test runner reported and prints one line: `N passed, N failed`.
// A runner whose report is missing counts as a failure, so a run that executed nothing shows.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'test-results';
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];

const vitest = join(dir, 'vitest.json');
if (existsSync(vitest)) {
  const r = JSON.parse(readFileSync(vitest, 'utf8'));
  // A file that failed outside its tests (an import error, a failing beforeAll or afterAll) counts
  // once; a file whose failure is already a failed test does not count again.
  const brokenFiles = r.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'),
  ).length;
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenFiles;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(
    `vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${brokenFiles} files failed outside their tests, ${r.numPendingTests} skipped`,
  );
} else missing.push('vitest');

const pytest = join(dir, 'pytest.xml');
if (existsSync(pytest)) {
  const xml = readFileSync(pytest, 'utf8');
  const attr = (name) =>
    Number(new RegExp(`<testsuite[^>]*\\s${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
  const [tests, failures, errors, skips] = ['tests', 'failures', 'errors', 'skipped'].map(attr);
  passed += tests - failures - errors - skips;
  failed += failures + errors;
  skipped += skips;
  console.log(
    `pytest: ${tests - failures - errors - skips} passed, ${failures + errors} failed, ${skips} skipped`,
  );
} else missing.push('pytest');

for (const runner of missing) {
  console.log(`${runner}: no report (the runner did not run)`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
