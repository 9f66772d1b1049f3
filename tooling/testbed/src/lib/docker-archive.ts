import type { TestImage } from './images/image.ts';
import { getTestbed } from './info.ts';
import { pushImage } from './push.ts';
import { skopeoCopy } from './skopeo.ts';
import { uniqueRepo } from './unique.ts';

/**
 * Writes an image as the `docker save` archive skopeo writes: pushed to a
 * new repository of the anonymous registry, then `skopeo copy` to
 * `docker-archive:FILE:NAME` (the manifest is rebuilt, so its digest
 * changes; config and layer diff IDs stay).
 *
 * @param image - the image
 * @param file - the tar to write
 * @param name - the name recorded in its `RepoTags`, such as `example.com/app:v1`
 */
export async function writeDockerArchive(
  image: TestImage,
  file: string,
  name: string,
): Promise<void> {
  const { anonymous } = getTestbed();
  const repo = uniqueRepo('testbed/docker-archive');
  await pushImage({ url: anonymous.url }, repo, image, { tag: 'v1' });
  await skopeoCopy(`docker://${anonymous.host}/${repo}:v1`, `docker-archive:${file}:${name}`, {
    preserveDigests: false,
  });
}
