// Shell completion as people get it: an interactive zsh and fish in a real
// terminal (tmux) load the script `ocikit completion SHELL` prints, a partly
// typed command line gets Tab, and the screen shows what the shell made of it.
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from '@ocikit/testbed';
import { describe, expect, it, onTestFinished } from 'vitest';
import { OCIKIT_BIN, ocikit, tempDir } from './lib/ocikit-process.testing.ts';

const execFileAsync = promisify(execFile);
let sessions = 0;
const PROMPT = 'ocikit-test>';

/** A shell in a tmux pane, with `ocikit` on its PATH and its completion loaded. */
async function shellWithCompletion(shell: 'zsh' | 'fish') {
  const tmux = requireBinary('tmux');
  const binary = requireBinary(shell);
  const dir = await tempDir();
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(
    join(bin, 'ocikit'),
    `#!/bin/sh\nexec '${process.execPath}' '${OCIKIT_BIN}' "$@"\n`,
  );
  await chmod(join(bin, 'ocikit'), 0o755);
  const script = join(dir, `ocikit.${shell}`);
  const printed = await ocikit(['completion', shell]);
  expect(printed.code, printed.stderr).toBe(0);
  await writeFile(script, printed.stdout);
  const socket = `ocikit-completion-${process.pid}-${sessions++}`;
  const run = (args: string[]) => execFileAsync(tmux, ['-L', socket, ...args]);
  // zsh reads $ZDOTDIR/.zshrc only; fish reads no configuration at all.
  await writeFile(
    join(dir, '.zshrc'),
    `PS1='${PROMPT} '\nautoload -U compinit && compinit -u\nsource ${script}\n`,
  );
  const start =
    shell === 'zsh'
      ? `${binary} -i`
      : // Autosuggestions off: they would fill a line from history with no Tab pressed.
        `${binary} --no-config -i -C 'set -g fish_autosuggestion_enabled 0; function fish_prompt; echo "${PROMPT} "; end; source ${script}'`;
  const env = `env -i PATH=${bin}:/usr/bin:/bin HOME=${dir} ZDOTDIR=${dir} TERM=xterm`;
  await run(['-f', '/dev/null', 'new-session', '-d', '-x', '200', '-y', '20', `${env} ${start}`]);
  onTestFinished(() => run(['kill-server']).then(() => undefined));
  const screen = async () => (await run(['capture-pane', '-p'])).stdout;
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const shown = await screen();
      if (shown.includes(text)) return shown;
      if (Date.now() > deadline)
        throw new Error(`The ${shell} pane never showed "${text}":\n${shown}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await waitFor(PROMPT);
  return {
    /** Types a line, presses Tab, and waits for the screen to show what is expected. */
    async complete(typed: string, expected: string): Promise<string> {
      await run(['send-keys', '-l', typed]);
      await run(['send-keys', 'Tab']);
      const shown = await waitFor(expected);
      await run(['send-keys', 'C-u']);
      return shown;
    },
  };
}

describe('ocikit completion in a real interactive shell (tmux)', () => {
  for (const shell of ['zsh', 'fish'] as const) {
    it(`${shell}: Tab completes a subcommand, a flag of a command typed by its alias, and a flag's value`, async () => {
      const pane = await shellWithCompletion(shell);
      await pane.complete('ocikit manifest he', 'ocikit manifest head');
      await pane.complete('ocikit cp --dry', 'ocikit cp --dry-run');
      await pane.complete('ocikit tag ls --format ta', 'ocikit tag ls --format table');
    });
  }
});
