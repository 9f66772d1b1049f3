import { describe, expect, it, vi } from 'vitest';
import { buildProgram } from './program.ts';
import { TOP_LEVEL_COMMANDS } from './top-level-commands.ts';

describe('the command tree', () => {
  it('starts with exactly the words the bin keeps code caches for (TOP_LEVEL_COMMANDS)', () => {
    // Put in by the build (tsup `define`).
    vi.stubGlobal('OCIKIT_VERSION', '0.0.0-test');
    const program = buildProgram({ command: '', args: [], debug: false });
    const words = program.commands.flatMap((command) => [command.name(), ...command.aliases()]);
    expect([...words].sort()).toEqual([...TOP_LEVEL_COMMANDS].sort());
  });
});
