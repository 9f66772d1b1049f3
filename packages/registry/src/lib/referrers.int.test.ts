import { MediaType } from '@ocikit/spec';
import {
  collect,
  errorCode,
  makeArtifact,
  makeImage,
  fetchManifest as oracleManifest,
  type TestImage,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { referrersTag } from './referrers-fallback.ts';
import { endpoint, freshRepository, on, pushNode } from './testbed.testing.node.ts';

/** An SBOM (with a blob and an annotation) and a signature, both referring to `image`. */
function referrersOf(image: TestImage) {
  return {
    sbom: makeArtifact({
      artifactType: 'application/vnd.example.sbom+json',
      subject: image,
      blobs: [{ mediaType: 'application/json', content: '{"sbom":true}' }],
      annotations: { 'org.example.format': 'json' },
    }),
    signature: makeArtifact({ artifactType: 'application/vnd.example.sig', subject: image }),
  };
}

describe('referrers on distribution 2.8 (no referrers API)', () => {
  it('keeps the referrers tag schema on push and delete, and lists from it', async () => {
    const repo = freshRepository('token', 'referrers/fallback');
    const image = await makeImage({ seed: repo.name });
    await pushNode(repo, image, 'v1');
    const { sbom, signature } = referrersOf(image);
    await pushNode(repo, sbom);
    await pushNode(repo, signature);
    await pushNode(repo, signature);

    const index = await oracleManifest(
      endpoint('token'),
      repo.name,
      referrersTag(image.manifest.digest),
    );
    expect(index.mediaType).toBe(MediaType.OciImageIndex);
    const entries = (
      JSON.parse(new TextDecoder().decode(index.bytes)) as {
        manifests: { digest: string; artifactType: string; annotations?: Record<string, string> }[];
      }
    ).manifests;
    expect(entries.map((entry) => entry.digest)).toEqual([
      sbom.manifest.digest,
      signature.manifest.digest,
    ]);
    expect(entries[0]?.artifactType).toBe('application/vnd.example.sbom+json');
    expect(entries[0]?.annotations).toEqual({ 'org.example.format': 'json' });

    const subject = {
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
    };
    expect((await collect(repo.referrers(subject))).map((r) => r.digest)).toEqual([
      sbom.manifest.digest,
      signature.manifest.digest,
    ]);
    const sigs = await collect(
      repo.referrers(subject, { artifactType: 'application/vnd.example.sig' }),
    );
    expect(sigs.map((r) => r.digest)).toEqual([signature.manifest.digest]);

    await repo.delete({
      mediaType: sbom.manifest.mediaType,
      digest: sbom.manifest.digest,
      size: sbom.manifest.size,
    });
    expect((await collect(repo.referrers(subject))).map((r) => r.digest)).toEqual([
      signature.manifest.digest,
    ]);
  });

  it('finds no referrers for a subject without any, and says UNSUPPORTED in api mode', async () => {
    const repo = freshRepository('anonymous', 'referrers/none');
    const image = await makeImage({ seed: repo.name });
    await pushNode(repo, image, 'v1');
    const subject = await repo.resolve('v1');
    expect(await collect(repo.referrers(subject))).toEqual([]);
    const strict = freshRepository('anonymous', 'referrers/strict', { referrers: 'api' });
    expect(await errorCode(collect(strict.referrers(subject)))).toBe('UNSUPPORTED');
  });
});

describe('referrers on ocikit (referrers API)', () => {
  const ocikit = on('ocikit');

  it('lists and filters referrers through the API, keeps no referrers tag, and works in api mode', async () => {
    const repo = ocikit.freshRepository('token', 'referrers/api', { referrers: 'api' });
    const image = await makeImage({ seed: repo.name });
    await pushNode(repo, image, 'v1');
    const { sbom, signature } = referrersOf(image);
    await pushNode(repo, sbom);
    await pushNode(repo, signature);
    const subject = await repo.resolve('v1');
    const all = await collect(repo.referrers(subject));
    expect(all.map((r) => r.digest).sort()).toEqual(
      [sbom.manifest.digest, signature.manifest.digest].sort(),
    );
    expect(all.find((r) => r.digest === sbom.manifest.digest)).toMatchObject({
      artifactType: 'application/vnd.example.sbom+json',
      annotations: { 'org.example.format': 'json' },
    });
    const sigs = await collect(
      repo.referrers(subject, { artifactType: 'application/vnd.example.sig' }),
    );
    expect(sigs.map((r) => r.digest)).toEqual([signature.manifest.digest]);
    expect(await collect(repo.tags())).toEqual(['v1']);
    await repo.delete(sbom.manifest);
    expect((await collect(repo.referrers(subject))).map((r) => r.digest)).toEqual([
      signature.manifest.digest,
    ]);
  });
});
