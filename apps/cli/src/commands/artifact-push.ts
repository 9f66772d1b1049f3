import { Artifacts, parseArtifactFile } from '@ocikit/client';
import { fileLine, parseAnnotations, printPushed } from '../lib/artifact-output.ts';
import { interruptSignal } from '../lib/interrupt.ts';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit artifact push LOCATION FILE[:MEDIATYPE]...`: `Artifacts.push`, as oras push. */
export const run: CommandRun = async ([location, ...files], flags, session) => {
  const specs = files.map(parseArtifactFile);
  const artifactType = flags.artifactType as string | undefined;
  const artifacts = new Artifacts(await session.client());
  const result = await artifacts.push(location as string, specs, {
    signal: interruptSignal(),
    annotations: parseAnnotations(flags.annotation as string[] | undefined),
    ...(artifactType === undefined ? {} : { artifactType }),
    onFile: (layer) => session.log(fileLine('pushed', layer)),
  });
  printPushed(session, result);
};
