import { parseArtifactFile } from '@ocikit/client';
import { runArtifactPush } from '../lib/artifact-output.ts';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit artifact push LOCATION FILE[:MEDIATYPE]...` (files or directories): `Artifacts.push`, as oras push. */
export const run: CommandRun = async ([location, ...files], flags, session) => {
  const specs = files.map(parseArtifactFile);
  const artifactType = flags.artifactType as string | undefined;
  await runArtifactPush(session, flags, (artifacts, options) =>
    artifacts.push(location as string, specs, {
      ...options,
      ...(artifactType === undefined ? {} : { artifactType }),
      ...(flags.preserveTimes === true ? { preserveTimes: true } : {}),
    }),
  );
};
