import type { TestBlob, TestManifest } from './blob.ts';
import type { TestNode } from './image.ts';

/** Everything a set of nodes holds, each digest once. */
export interface NodeContent {
  /** Configs and layers. */
  blobs: TestBlob[];
  /** Manifests and indexes, children before the indexes that list them. */
  manifests: TestManifest[];
}

/**
 * Collects the content of nodes in the order a push needs: blobs, then
 * manifests children first.
 *
 * @param roots - the nodes
 * @returns their blobs and manifests, without duplicates
 */
export function collectContent(roots: readonly TestNode[]): NodeContent {
  const blobs = new Map<string, TestBlob>();
  const manifests = new Map<string, TestManifest>();
  const visit = (node: TestNode) => {
    if (manifests.has(node.manifest.digest)) return;
    if (node.kind === 'index') {
      for (const child of node.manifests) visit(child);
    } else {
      for (const blob of [node.config, ...node.layers]) {
        if (!blobs.has(blob.digest)) blobs.set(blob.digest, blob);
      }
    }
    manifests.set(node.manifest.digest, node.manifest);
  };
  for (const root of roots) visit(root);
  return { blobs: [...blobs.values()], manifests: [...manifests.values()] };
}
