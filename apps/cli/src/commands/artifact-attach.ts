import { Artifacts, parseArtifactFile } from '@ocikit/client';
import { fileLine, parseAnnotations, printPushed } from '../lib/artifact-output.ts';
import { interruptSignal } from '../lib/interrupt.ts';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit artifact attach SUBJECT FILE[:MEDIATYPE]... --artifact-type T`: `Artifacts.attach`, as oras attach. */
export const run: CommandRun = async ([subject, ...files], flags, session) => {
  const specs = files.map(parseArtifactFile);
  const artifacts = new Artifacts(await session.client());
  const result = await artifacts.attach(subject as string, specs, {
    signal: interruptSignal(),
    artifactType: flags.artifactType as string,
    annotations: parseAnnotations(flags.annotation as string[] | undefined),
    onFile: (layer) => session.log(fileLine('pushed', layer)),
  });
  printPushed(session, result);
};
