import type { TestProject } from 'vitest/node';
import { startTestbed } from './lib/start.ts';

/**
 * vitest `globalSetup` of the `integration` project: starts the test bed once
 * per run, provides its `TestbedInfo` to tests (`inject('testbed')` or
 * `getTestbed()`), and returns the teardown that stops it. Set
 * `OCIKIT_TESTBED_VERBOSE=1` to print where everything runs.
 *
 * @param project - the vitest project
 * @returns the teardown
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = performance.now();
  const testbed = await startTestbed();
  project.provide('testbed', testbed.info);
  if (process.env.OCIKIT_TESTBED_VERBOSE) {
    const ms = Math.round(performance.now() - startedAt);
    console.log(`ocikit test bed ready in ${ms} ms:\n${JSON.stringify(testbed.info, null, 2)}`);
  }
  return () => testbed.stop();
}
