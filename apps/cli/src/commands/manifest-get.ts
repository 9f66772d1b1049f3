import { printDocument } from '../lib/print-document.ts';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit manifest get LOCATION`: the exact manifest bytes (or, with `--format json`, indented). */
export const run: CommandRun = ([location], _flags, session) =>
  printDocument(session, location as string, (opened) => opened.root());
