import { importArchive } from '@ocikit/client';
import { descriptorJson } from '../lib/artifact-output.ts';
import { interruptSignal } from '../lib/interrupt.ts';
import type { CommandRun } from '../lib/program.ts';
import { copyProgress } from '../lib/progress.ts';

/** `ocikit layout import FILE.tar DIR`: an oci-archive or docker save tar into a layout. */
export const run: CommandRun = async ([file, dir], _flags, session) => {
  session.log(`Importing ${file} into ${dir}…`);
  const progress = await copyProgress(session);
  let result: Awaited<ReturnType<typeof importArchive>>;
  try {
    result = await importArchive(file as string, dir as string, {
      signal: interruptSignal(),
      ...(progress === undefined ? {} : { onProgress: progress.onProgress }),
    });
  } finally {
    progress?.stop();
  }
  session.log(`Imported ${result.images.length} images from the ${result.format} ${file}`);
  if (session.format === 'json') {
    session.json({
      file,
      path: dir,
      format: result.format,
      images: result.images.map(({ descriptor, tags }) => ({
        ...descriptorJson(descriptor),
        tags,
      })),
    });
  } else {
    session.out(
      result.images
        .map(
          ({ descriptor, tags }) =>
            `${descriptor.digest}${tags.length ? `  ${tags.join(',')}` : ''}\n`,
        )
        .join(''),
    );
  }
};
