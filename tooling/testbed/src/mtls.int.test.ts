import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import { getTestbed, makeImage, pushImage, skopeo, uniqueRepo } from './index.ts';

const testbed = getTestbed();
const { mtls } = testbed;

it('the mutual-TLS front serves skopeo with its --cert-dir client certificate, and refuses it without', async () => {
  const repo = uniqueRepo('testbed/mtls');
  const image = await makeImage({ seed: repo });
  await pushImage({ url: testbed.anonymous.url }, repo, image, { tag: 'v1' });
  const inspect = (certDir: string) =>
    skopeo(['inspect', '--no-creds', '--cert-dir', certDir, `docker://${mtls.host}/${repo}:v1`]);

  const { stdout } = await inspect(mtls.certDir);
  expect((JSON.parse(stdout) as { Digest: string }).Digest).toBe(image.manifest.digest);
  // The https front's directory holds the same CA, and no client certificate.
  await expect(inspect(dirname(testbed.redirect.caFile))).rejects.toThrow(
    /certificate required|bad certificate|remote error/i,
  );
});
