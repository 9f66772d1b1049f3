import { describe, expect, it, vi } from 'vitest';
import { buildProgram } from './program.ts';
import {
  commandWord,
  GLOBAL_OPTIONS_WITH_VALUE,
  TOP_LEVEL_COMMANDS,
} from './top-level-commands.ts';

describe('the command tree', () => {
  // Put in by the build (tsup `define`). The tree is built once: it is commander's one program.
  vi.stubGlobal('OCIKIT_VERSION', '0.0.0-test');
  const program = buildProgram({ command: '', args: [], debug: false });

  it('starts with exactly the words the bin keeps code caches for (TOP_LEVEL_COMMANDS)', () => {
    const words = program.commands.flatMap((command) => [command.name(), ...command.aliases()]);
    expect([...words].sort()).toEqual([...TOP_LEVEL_COMMANDS].sort());
  });

  it('lists every global option that takes a value (GLOBAL_OPTIONS_WITH_VALUE)', () => {
    const taking = program.options
      .filter((option) => option.required || option.optional)
      .map((option) => option.long);
    expect([...taking].sort()).toEqual([...GLOBAL_OPTIONS_WITH_VALUE].sort());
  });

  it('finds the command word after global options and their values', () => {
    expect(commandWord(['copy', 'a', 'b'])).toBe('copy');
    expect(commandWord(['--plain-http', 'localhost:5000', 'cp', 'a', 'b'])).toBe('cp');
    expect(commandWord(['-v', '--format', 'json', 'sync', 'plan.yaml'])).toBe('sync');
    expect(commandWord(['--format=json', 'blob', 'get'])).toBe('blob');
    expect(commandWord(['alpine'])).toBe('other');
    expect(commandWord(['--version'])).toBe('other');
    expect(commandWord(['--', 'copy'])).toBe('other');
  });
});
