// Runs every test in workerd and ends with the line CI reads: "N passed, N failed".
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";

mkdirSync("test-results", { recursive: true });
const report = "test-results/vitest.json";
const run = spawnSync(
  "npx",
  ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit", env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" } },
);
let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(report, "utf8"));
  passed = results.numPassedTests;
  // A file that fails to load has no test results of its own: count it as one failure.
  const brokenFiles = results.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0);
  failed = results.numFailedTests + brokenFiles.length;
} catch {
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
