// The demo's copy progress: one tidy line per blob or manifest, on stderr.
import type { ProgressEvent } from '@ocikit/transfer';
import { formatSize, kindOf, shortDigest } from './format.ts';

/**
 * Makes an `onProgress` listener that writes a line as each blob or manifest
 * lands (or is skipped, being there already): what it is, its digest, its size.
 *
 * @param write - where the lines go (the demo passes stderr)
 * @returns the listener for `copy`'s `onProgress`
 */
export function progressLines(write: (line: string) => void): (event: ProgressEvent) => void {
  return (event) => {
    if (event.type !== 'done' && event.type !== 'skipped') return;
    const { descriptor } = event;
    const what = event.type === 'done' ? 'copied ' : 'skipped';
    const size = formatSize(descriptor.size).padStart(9);
    write(`   ${what} ${kindOf(descriptor).padEnd(8)} ${shortDigest(descriptor.digest)} ${size}\n`);
  };
}
