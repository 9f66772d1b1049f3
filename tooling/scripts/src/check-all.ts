import {
  appImportCheck,
  type Check,
  coreCheck,
  errorCheck,
  jsrCheck,
  layerCheck,
  manifestCheck,
  publishCheck,
} from './checks.ts';

const SOURCE_CHECKS: Check[] = [
  layerCheck,
  appImportCheck,
  manifestCheck,
  jsrCheck,
  errorCheck,
  coreCheck,
];
const BUILD_CHECKS: Check[] = [publishCheck];

const checks = process.argv.includes('--built')
  ? [...SOURCE_CHECKS, ...BUILD_CHECKS]
  : SOURCE_CHECKS;
let failed = 0;
for (const check of checks) {
  const problems = check.run();
  if (problems.length === 0) {
    console.log(`ok    ${check.name}`);
    continue;
  }
  failed += 1;
  console.log(`FAIL  ${check.name}`);
  for (const problem of problems) console.log(`      ${problem.replaceAll('\n', '\n      ')}`);
}
process.exitCode = failed === 0 ? 0 : 1;
