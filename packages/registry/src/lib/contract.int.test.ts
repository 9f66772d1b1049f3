import { describeTarget } from '@ocikit/contracts';
import { on, PEERS } from './testbed.testing.node.ts';

for (const peer of PEERS) {
  for (const mode of ['basic', 'token'] as const) {
    describeTarget(
      `Repository on ${peer} (${mode} auth)`,
      async () => ({
        subject: on(peer).freshRepository(mode, 'contract', { untagFallback: true }),
      }),
      { tagLister: true, referrerLister: true, untagger: true, deleter: true },
    );
  }
}
