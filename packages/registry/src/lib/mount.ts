import type { Descriptor } from '@ocikit/spec';
import { assertRepositoryName } from './name.ts';
import { type RepositoryContext, scope } from './options.ts';
import { checkHeaderDigest, discard, responseError } from './response.ts';
import { sessionFrom, type UploadSession } from './upload-session.ts';
import { uploadsPath } from './urls.ts';

/** What a mount did: the blob is there, or the registry opened an upload instead. */
export type MountResult =
  | { readonly mounted: true }
  | {
      readonly mounted: false;
      /** The upload session the registry opened instead: push the blob through it, or cancel it. */
      readonly session: UploadSession;
    };

/**
 * Mounts a blob from another repository of the same registry
 * (`POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>`), with a
 * token scope covering both repositories. `201` means the blob is now in
 * this repository; `202` means the registry could not mount it and opened
 * an upload session instead, which the caller uses (or cancels).
 *
 * @param context - the repository to mount into
 * @param descriptor - the blob
 * @param from - the repository that has it, on the same registry
 * @param signal - cancels the request
 * @returns {@link MountResult}
 * @throws {OciError} `NAME_INVALID` for a bad `from`; `DENIED` without
 *   push here or pull there; the registry's error
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository
 */
export async function mountBlob(
  context: RepositoryContext,
  descriptor: Descriptor,
  from: string,
  signal: AbortSignal | undefined,
): Promise<MountResult> {
  const source = assertRepositoryName(from);
  const response = await context.client.send({
    method: 'POST',
    address: { path: uploadsPath(context.name, { mount: descriptor.digest, from: source }) },
    headers: { 'content-length': '0' },
    scopes: [scope.push(context.name), scope.pull(source)],
    repository: context.name,
    signal,
    retry: true,
    mirrors: false,
  });
  if (response.status === 201) {
    await discard(response);
    checkHeaderDigest(response, descriptor.digest, `the mounted blob`);
    return { mounted: true };
  }
  if (response.status === 202) {
    await discard(response);
    return { mounted: false, session: sessionFrom(context, response) };
  }
  throw await responseError(
    response,
    `Cannot mount blob ${descriptor.digest} from ${source} into ${context.display}`,
  );
}
