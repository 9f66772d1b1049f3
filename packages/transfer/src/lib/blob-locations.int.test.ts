import { join } from 'node:path';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { getTestbed, tempDirs, uniqueRepo } from '@ocikit/testbed';
import { createNodeTransport } from '@ocikit/transport/node';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { FileBlobLocations } from './file-blob-locations.node.ts';
import { image, load } from './graphs.testing.ts';

const tempDir = tempDirs('ocikit-transfer-locations-');

describe('blob locations remembered across processes', () => {
  it('layout → a new repository mounts every blob from the repository an earlier copy (another cache instance, same file) pushed them to: zero uploads', async () => {
    const graph = image([300_000, 200_000]);
    const dir = await OciLayout.open(await tempDir(), { create: true });
    await load(dir, graph);
    const file = join(await tempDir(), 'blob-locations.json');
    const { host } = getTestbed().anonymous;
    const requests: { method: string; path: string; status: number }[] = [];
    const transport = createNodeTransport({
      onTrace: (event) => {
        if (event.type === 'response') {
          const { pathname, search } = new URL(event.url);
          requests.push({ method: event.method, path: pathname + search, status: event.status });
        }
      },
    });
    const open = () =>
      new Repository(
        { registry: host, repository: uniqueRepo('transfer/locations') },
        { transport },
      );

    const first = open();
    const pushed = await copy(
      { from: dir, to: first, reference: graph.root },
      { blobLocations: await FileBlobLocations.open(file) },
    );
    expect(pushed.blobsCopied).toBe(3);

    requests.length = 0;
    const second = open();
    const result = await copy(
      { from: dir, to: second, reference: graph.root },
      { blobLocations: await FileBlobLocations.open(file) },
    );
    expect(result).toMatchObject({ blobsMounted: 3, blobsCopied: 0, bytesCopied: 0 });
    const uploads = requests.filter(
      (r) => (r.method === 'PATCH' || r.method === 'PUT') && r.path.includes('/blobs/'),
    );
    expect(uploads).toEqual([]);
    // The trace redacts queries: a mount is a POST answered 201 (an upload would be 202).
    const mounts = requests.filter(
      (r) => r.method === 'POST' && r.path.includes('/blobs/uploads/'),
    );
    expect(mounts.map((r) => r.status)).toEqual([201, 201, 201]);
    for (const blob of graph.blobs) expect(await second.exists(blob.descriptor)).toBe(true);
  });
});
