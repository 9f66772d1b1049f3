// Memory of a long tag listing: a registry on 127.0.0.1 serves TAGS names
// (default 2 million) in pages of 10 000 with `Link` headers, and the
// listing is iterated keeping nothing. Prints the heap after a GC near the
// end of the listing (what the listing itself holds) and the peak RSS.
// Run: pnpm --filter @ocikit/registry bench   (TAGS=… to change the count)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Transport } from '@ocikit/transport';
import { Repository } from '../src/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const TAGS = Number(process.env.TAGS ?? 2_000_000);
const PAGE = 10_000;
const name = (index: number) => `tag-${String(index).padStart(8, '0')}`;

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://x');
  const last = url.searchParams.get('last');
  const start = last === null ? 0 : Number(last.slice(4)) + 1;
  const tags: string[] = [];
  for (let index = start; index < Math.min(TAGS, start + PAGE); index += 1) tags.push(name(index));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (start + PAGE < TAGS) {
    headers.link = `</v2/big/tags/list?n=${PAGE}&last=${name(start + PAGE - 1)}>; rel="next"`;
  }
  response.writeHead(200, headers).end(JSON.stringify({ name: 'big', tags }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
const repository = new Repository(
  { registry: host, repository: 'big' },
  { transport: new Transport({ hosts: { [host]: { plainHttp: true } } }) },
);
let count = 0;
let heapMiB = 0;
for await (const _tag of repository.tags({ pageSize: PAGE })) {
  count += 1;
  if (count === TAGS - PAGE) {
    gc();
    heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  }
}
server.close();
const rssMiB = process.resourceUsage().maxRSS / 1024;
console.log(
  `listed ${count} tags: heap ${heapMiB.toFixed(0)} MiB after GC near the end, peak RSS ${rssMiB.toFixed(0)} MiB`,
);
