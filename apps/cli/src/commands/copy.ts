import type { CopyOptions } from '@ocikit/client';
import { OciError } from '@ocikit/digest';
import { cacheOptions } from '../lib/cache-files.ts';
import { interruptSignal } from '../lib/interrupt.ts';
import type { CommandRun } from '../lib/program.ts';
import { copyProgress } from '../lib/progress.ts';
import { formatBytes } from '../lib/units.ts';

/** `ocikit copy SOURCE DESTINATION`: `Client.copy` with progress and a summary. */
export const run: CommandRun = async ([source, destination], flags, session) => {
  const platforms = flags.platform as string[] | undefined;
  if (platforms !== undefined && flags.allPlatforms === true) {
    throw new OciError('OPTION_INVALID', '--platform and --all-platforms exclude each other');
  }
  const artifactType = flags.artifactType as string | undefined;
  if (artifactType !== undefined && flags.referrers !== true) {
    throw new OciError('OPTION_INVALID', '--artifact-type needs --referrers');
  }
  const dryRun = flags.dryRun === true;
  const client = await session.client(await cacheOptions(flags, session.env, session.log));
  const progress = dryRun ? undefined : await copyProgress(session);
  const options: CopyOptions = {
    signal: interruptSignal(),
    ...(platforms === undefined ? {} : { platforms }),
    ...(flags.referrers === true
      ? { referrers: artifactType === undefined ? true : { artifactType } }
      : {}),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency as number }),
    ...(flags.parallelRanges === undefined
      ? {}
      : { rangedDownload: { parts: flags.parallelRanges as number } }),
    ...(dryRun ? { dryRun } : {}),
    ...(flags.force === true ? { force: true } : {}),
    ...(progress === undefined ? {} : { onProgress: progress.onProgress }),
  };
  const started = Date.now();
  let result: Awaited<ReturnType<typeof client.copy>>;
  try {
    result = await client.copy(source as string, destination as string, options);
  } finally {
    progress?.stop();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  session.log(
    dryRun
      ? `Dry run, nothing written: ${result.source} → ${result.destination} ${result.digest} ` +
          `would copy ${result.blobsCopied} blobs (${formatBytes(result.bytesCopied)}), ` +
          `skip ${result.blobsSkipped} the destination has, ${result.manifests} manifests, ` +
          `${result.referrers} referrers`
      : `Copied ${result.source} → ${result.destination} ${result.digest} ` +
          `(${result.blobsCopied} blobs copied, ${result.blobsSkipped} skipped, ` +
          `${result.blobsMounted} mounted, ${result.manifests} manifests, ` +
          `${result.referrers} referrers, ${formatBytes(result.bytesCopied)} in ${seconds} s)`,
  );
  if (session.format === 'json') {
    session.json({
      source: result.source,
      destination: result.destination,
      digest: result.digest,
      mediaType: result.root.mediaType,
      size: result.root.size,
      sourceDigest: result.sourceRoot.digest,
      tags: result.tags,
      manifests: result.manifests,
      blobsCopied: result.blobsCopied,
      blobsSkipped: result.blobsSkipped,
      blobsMounted: result.blobsMounted,
      bytesCopied: result.bytesCopied,
      bytesResumed: result.bytesResumed,
      referrers: result.referrers,
      foreignSkipped: result.foreignSkipped.map((layer) => layer.digest),
      dryRun,
    });
  } else {
    session.out(`${result.digest}\n`);
  }
};
