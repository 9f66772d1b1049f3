import type { Descriptor } from '@ocikit/spec';
import type { Session } from './session.ts';

/**
 * Prints a descriptor: `DIGEST MEDIATYPE SIZE` on one line, or with
 * `--format json` the object `{ mediaType, digest, size }`.
 *
 * @param session - the session
 * @param descriptor - what to print
 */
export function printDescriptor(session: Session, descriptor: Descriptor): void {
  const { mediaType, digest, size } = descriptor;
  if (session.format === 'json') session.json({ mediaType, digest, size });
  else session.out(`${digest} ${mediaType} ${size}\n`);
}
