import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { OciError } from '@ocikit/digest';

/**
 * Asks a question on the terminal (stderr) and reads one line from stdin;
 * with `hidden`, what is typed is not echoed (a password).
 *
 * @param question - such as `Password: `
 * @param hidden - whether to hide the answer
 * @returns the answer
 * @throws {OciError} `ABORTED` when the user presses Ctrl-C or stdin ends
 */
export function ask(question: string, hidden: boolean): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const lines = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise<string>((resolve, reject) => {
    let answered = false;
    lines.on('SIGINT', () => lines.close());
    lines.on('close', () => {
      if (!answered) reject(new OciError('ABORTED', 'Cancelled at the prompt'));
    });
    lines.question(question, (answer) => {
      answered = true;
      lines.close();
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
    muted = hidden;
  });
}
