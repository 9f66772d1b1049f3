import { describeTarget } from '@ocikit/contracts';
import { freshRepository } from './testbed.testing.node.ts';

for (const mode of ['basic', 'token'] as const) {
  describeTarget(
    `Repository on distribution 2.8 (${mode} auth)`,
    async () => ({ subject: freshRepository(mode, 'contract', { untagFallback: true }) }),
    { tagLister: true, referrerLister: true, untagger: true, deleter: true },
  );
}
