import type { ArtifactPushOptions, ArtifactPushResult, Artifacts } from '@ocikit/client';
import { OciError } from '@ocikit/digest';
import { Annotation, type Descriptor } from '@ocikit/spec';
import { interruptSignal } from './interrupt.ts';
import { copyProgress } from './progress.ts';
import type { Session } from './session.ts';

/**
 * Parses the `--annotation KEY=VALUE` flags of `artifact push` and `attach`.
 *
 * @param values - the flags, in order (a later key wins)
 * @returns the annotations
 * @throws {OciError} `OPTION_INVALID` for a value without `=` or with an empty key
 */
export function parseAnnotations(values: readonly string[] = []): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals < 1) {
      throw new OciError('OPTION_INVALID', `Annotation "${value}" is not KEY=VALUE`);
    }
    annotations[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return annotations;
}

/**
 * Runs `artifact push` or `attach`: the push's progress on stderr as `copy`
 * shows it, then the digest on stdout (the documented JSON shape with
 * `--format json`) and a summary on stderr.
 *
 * @param session - the session
 * @param flags - the command's flags (`--annotation`, `--concurrency`)
 * @param push - the push, given the artifacts client and the options
 */
export async function runArtifactPush(
  session: Session,
  flags: Record<string, unknown>,
  push: (artifacts: Artifacts, options: ArtifactPushOptions) => Promise<ArtifactPushResult>,
): Promise<void> {
  const { Artifacts } = await import('@ocikit/client');
  const artifacts = new Artifacts(await session.client());
  const progress = await copyProgress(session);
  let result: ArtifactPushResult;
  try {
    result = await push(artifacts, {
      signal: interruptSignal(),
      annotations: parseAnnotations(flags.annotation as string[] | undefined),
      ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency as number }),
      ...(progress === undefined ? {} : { onProgress: progress.onProgress }),
    });
  } finally {
    progress?.stop();
  }
  printPushed(session, result);
}

/** Prints what `artifact push` or `attach` wrote. */
function printPushed(session: Session, result: ArtifactPushResult): void {
  const { descriptor } = result;
  session.log(
    `Pushed ${result.name} ${descriptor.digest} (${result.layers.length} files, ${result.artifactType}` +
      `${result.subject === undefined ? '' : `, subject ${result.subject.digest}`})`,
  );
  if (session.format !== 'json') {
    session.out(`${descriptor.digest}\n`);
    return;
  }
  session.json({
    name: result.name,
    digest: descriptor.digest,
    mediaType: descriptor.mediaType,
    size: descriptor.size,
    artifactType: result.artifactType,
    tags: result.tags,
    subject: result.subject === undefined ? null : descriptorJson(result.subject),
    layers: result.layers.map((layer) => ({
      title: layer.annotations?.[Annotation.Title] ?? null,
      ...descriptorJson(layer),
    })),
  });
}

/**
 * The JSON form of a descriptor in `--format json` output.
 *
 * @param descriptor - the descriptor
 * @returns `{ digest, mediaType, size }`
 */
export function descriptorJson(descriptor: Descriptor): {
  digest: string;
  mediaType: string;
  size: number;
} {
  return { digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size };
}
