import { getTestbed } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { readmeExamples, runExample } from './readme-examples.ts';

describe('README examples', () => {
  it('run without error, against the test bed where they need a registry', async () => {
    const testbed = getTestbed();
    const examples = await readmeExamples();
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const output = runExample(example, { OCIKIT_EXAMPLE_REGISTRY: testbed.anonymous.host });
      await expect(output, example.location).resolves.toBeTypeOf('string');
    }
  }, 180_000);
});
