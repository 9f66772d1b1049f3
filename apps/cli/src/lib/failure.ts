import { isOciError } from '@ocikit/digest';
import { parseLocation } from '@ocikit/reference';
import { exitCodeFor } from './exit-codes.ts';

/** A failed command, as the user sees it. */
export interface Failure {
  /** One line: `CODE: what failed — what to do`. */
  readonly line: string;
  /** The documented exit code. */
  readonly exitCode: number;
}

/** What the failing command was given, to name the registry in the advice. */
export interface FailureContext {
  /** The command's name, such as `copy` or `tag ls`. */
  readonly command: string;
  /** Its positional arguments (locations first). */
  readonly args: readonly string[];
}

/**
 * Turns what a command threw into one line and an exit code: the error's
 * code, its message (with the HTTP status where there is one) and advice.
 *
 * @param error - what was thrown
 * @param context - the command and its arguments
 * @returns the failure
 */
export function describeFailure(error: unknown, context: FailureContext): Failure {
  if (!isOciError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      line: `INTERNAL: ${oneLine(message)} — this is a bug in ocikit: report it with the output of --debug`,
      exitCode: exitCodeFor('INTERNAL'),
    };
  }
  const status =
    error.status === undefined || error.message.includes(`HTTP ${error.status}`)
      ? ''
      : ` (HTTP ${error.status})`;
  const origin = (error as { origin?: unknown }).origin;
  const host = registryHost(context.args, origin === 'destination' ? 1 : 0);
  return {
    line: `${error.code}: ${oneLine(error.message)}${status} — ${advice(error.code, host, context.command)}`,
    exitCode: exitCodeFor(error.code),
  };
}

/** What to do about an error code. */
function advice(code: string, host: string | undefined, command: string): string {
  const registry = host ?? 'REGISTRY';
  switch (code) {
    case 'UNAUTHORIZED':
      return `run "ocikit login ${registry}" (or check the credentials in ~/.docker/config.json)`;
    case 'DENIED':
      return `run "ocikit login ${registry}" as an account allowed to do this`;
    case 'MANIFEST_UNKNOWN':
    case 'NAME_UNKNOWN':
      return 'check the repository and tag ("ocikit tag ls REPOSITORY" lists the tags)';
    case 'BLOB_UNKNOWN':
      return 'check the digest';
    case 'PLATFORM_NOT_FOUND':
      return 'list the platforms with "ocikit inspect REF"';
    case 'REFERENCE_INVALID':
    case 'OPTION_INVALID':
    case 'PLATFORM_INVALID':
      return `see "ocikit ${command} --help"`;
    case 'NETWORK_ERROR':
      if (command === 'serve') return 'choose another --port or --host';
      return `check that ${registry} is reachable; a registry without TLS needs --plain-http ${registry}, one with a private CA --ca-file FILE or --insecure ${registry}`;
    case 'TIMEOUT':
      return `check that ${registry} is reachable; a registry without TLS needs --plain-http ${registry}, one with a private CA --ca-file FILE or --insecure ${registry}`;
    case 'CONFIG_INVALID':
    case 'LAYOUT_INVALID':
    case 'TAR_INVALID':
    case 'PATH_INVALID':
      return 'check the file or directory named above';
    case 'UNSUPPORTED':
      return 'this location cannot do that; see the README of ocikit for what each location supports';
    case 'TOOMANYREQUESTS':
      return 'the registry limits requests: wait, or log in for a higher limit';
    default:
      return 'run again with --debug for the request trace';
  }
}

/** The registry host of the argument at `index` (or the first that is a registry). */
function registryHost(args: readonly string[], index: number): string | undefined {
  const ordered = [args[index], ...args].filter((arg): arg is string => arg !== undefined);
  for (const arg of ordered) {
    try {
      const location = parseLocation(arg, { defaultTag: false });
      if (location.kind === 'registry') return location.reference.registry;
    } catch {
      // not a location: try the next argument
    }
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
