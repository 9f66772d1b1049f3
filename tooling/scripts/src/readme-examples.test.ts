import { expect, it } from 'vitest';
import { readmeExamples, typecheckExamples } from './readme-examples.ts';

it('type-checks every runnable README example against the package sources', async () => {
  const examples = await readmeExamples();
  expect(examples.length).toBeGreaterThan(0);
  await expect(typecheckExamples(examples)).resolves.toBeUndefined();
}, 120_000);
