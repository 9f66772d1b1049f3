import { Artifacts } from '@ocikit/client';
import { interruptSignal } from '../lib/interrupt.ts';
import type { CommandRun } from '../lib/program.ts';
import { formatBytes } from '../lib/units.ts';

/** `ocikit artifact pull LOCATION [-o DIR]`: `Artifacts.pull`, as oras pull. */
export const run: CommandRun = async ([location], flags, session) => {
  const artifacts = new Artifacts(await session.client());
  const result = await artifacts.pull(
    location as string,
    (flags.output as string | undefined) ?? '.',
    {
      signal: interruptSignal(),
      ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency as number }),
      onFile: ({ title, kind, descriptor }) =>
        session.log(
          `pulled  ${title}${kind === 'directory' ? '/' : ''}  ${descriptor.digest}  ${formatBytes(descriptor.size)}`,
        ),
    },
  );
  const directories = result.files.filter((file) => file.kind === 'directory').length;
  session.log(
    `Pulled ${result.name} ${result.descriptor.digest} (${result.files.length - directories} files` +
      `${directories > 0 ? `, ${directories} directories` : ''}` +
      `${result.skipped.length > 0 ? `, ${result.skipped.length} layers without a title skipped` : ''})`,
  );
  if (session.format === 'json') {
    session.json({
      name: result.name,
      digest: result.descriptor.digest,
      mediaType: result.descriptor.mediaType,
      artifactType: result.artifactType ?? null,
      files: result.files.map((file) => ({
        title: file.title,
        path: file.path,
        kind: file.kind,
        digest: file.descriptor.digest,
        mediaType: file.descriptor.mediaType,
        size: file.descriptor.size,
      })),
      skipped: result.skipped.map((layer) => layer.digest),
    });
  } else {
    session.out(result.files.map((file) => `${file.path}\n`).join(''));
  }
};
