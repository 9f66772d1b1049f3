import { describeTarget } from '@ocikit/contracts';
import { MemoryStore } from './memory-store.ts';

describeTarget('MemoryStore', async () => ({ subject: new MemoryStore() }), {
  tagLister: true,
  referrerLister: true,
  untagger: true,
  deleter: true,
});
