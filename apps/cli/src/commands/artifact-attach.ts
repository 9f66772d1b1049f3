import { parseArtifactFile } from '@ocikit/client';
import { runArtifactPush } from '../lib/artifact-output.ts';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit artifact attach SUBJECT FILE[:MEDIATYPE]... --artifact-type T`: `Artifacts.attach`, as oras attach. */
export const run: CommandRun = async ([subject, ...files], flags, session) => {
  const specs = files.map(parseArtifactFile);
  await runArtifactPush(session, flags, (artifacts, options) =>
    artifacts.attach(subject as string, specs, {
      ...options,
      artifactType: flags.artifactType as string,
    }),
  );
};
