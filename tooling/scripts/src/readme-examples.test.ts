import { describe, expect, it } from 'vitest';
import { readmeExamples, runExample } from './readme-examples.ts';

describe('README examples', () => {
  it('run without error', async () => {
    const examples = await readmeExamples();
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      await expect(runExample(example), example.location).resolves.toBeTypeOf('string');
    }
  }, 120_000);
});
