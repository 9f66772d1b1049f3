import { type Command, CommanderError, Option, program as root } from 'commander';
import { FORMATS, type GlobalFlags, type Session } from './session.ts';

/** A command's code: positional arguments, its own flags, the session. */
export type CommandRun = (
  args: string[],
  flags: Record<string, unknown>,
  session: Session,
) => Promise<void>;

/** Where the parser records the command that runs, for the error line. */
export interface RunState {
  command: string;
  args: string[];
  /** `--debug` was given: the error's stack follows its line. */
  debug: boolean;
}

/** A usage error, with the command whose help to point at. */
export class UsageError extends CommanderError {
  /** The full command, such as `tag ls`. */
  readonly command: string;

  /**
   * @param error - the parser's error
   * @param command - the full command
   */
  constructor(error: CommanderError, command: string) {
    super(error.exitCode, error.code, error.message);
    this.command = command;
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1) {
    throw new CommanderError(2, 'commander.invalidArgument', `not an integer ≥ 1: "${value}"`);
  }
  return number;
}

function port(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > 65535) {
    throw new CommanderError(2, 'commander.invalidArgument', `not a port (0 to 65535): "${value}"`);
  }
  return number;
}

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/**
 * Builds the `ocikit` command tree: every command, flag, help text and
 * example. Command code is loaded only when its command runs.
 *
 * @param state - filled with the running command and its arguments
 * @returns the root command
 */
export function buildProgram(state: RunState): Command {
  const program = root
    .name('ocikit')
    .description(
      'Copy, inspect and tag OCI images and artifacts between registries, OCI layouts and archives.',
    )
    .version(OCIKIT_VERSION, '-V, --version', 'print the version')
    .addOption(new Option('--format <format>', 'output format of data on stdout').choices(FORMATS))
    .option('-q, --quiet', 'print nothing on stderr but errors')
    .option('-v, --debug', 'print every HTTP request and response on stderr (secrets redacted)')
    .option('--insecure <host>', 'reach HOST without a trusted certificate (repeatable)', collect)
    .option('--plain-http <host>', 'reach HOST over plain http (repeatable)', collect)
    .option('--ca-file <file>', 'trust the CA certificates of this PEM file')
    .configureOutput({ outputError: () => {} })
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `${examples([
        'ocikit copy docker.io/library/alpine:3.20 oci:alpine:3.20',
        'ocikit inspect ghcr.io/org/app:v1 --format json',
        'ocikit tag ls localhost:5000/app --plain-http localhost:5000',
      ])}
Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 authentication or permission.`,
    );

  const leaf = (parent: Command, spec: string, path: string): Command =>
    parent.command(spec).exitOverride((error) => {
      throw new UsageError(error, path);
    });
  const action =
    (load: () => Promise<{ run: CommandRun }>) =>
    async (...params: unknown[]): Promise<void> => {
      const command = params.at(-1) as Command;
      const args = params.slice(0, -2).flat() as string[];
      state.command = commandPath(command);
      state.args = args;
      const { createSession } = await import('./session.ts');
      const flags = command.optsWithGlobals<GlobalFlags>();
      state.debug = flags.debug === true;
      const session = createSession(flags);
      const { run } = await load();
      await run(args, command.opts(), session);
    };
  program.exitOverride((error) => {
    throw new UsageError(error, '');
  });

  leaf(program, 'copy <source> <destination>', 'copy')
    .alias('cp')
    .description(
      'Copy an image or artifact (an index with its platforms, or one manifest) from one location to another',
    )
    .option(
      '--platform <os/arch[/variant]>',
      'copy only this platform of an index (repeatable)',
      collect,
    )
    .option('-a, --all-platforms', 'copy every platform of an index (the default)')
    .option('--referrers', 'also copy the referrers (signatures, SBOMs) of what is copied')
    .option('--artifact-type <type>', 'with --referrers: only referrers of this artifact type')
    .option('--concurrency <n>', 'the most blobs moving at once (default 4)', positiveInteger)
    .addHelpText(
      'after',
      `\nLocations (skopeo's syntax works unchanged):
  REF, docker://REF         a registry: docker.io/library/alpine:3.20, localhost:5000/app@sha256:…
  oci:DIR[:REF]             an OCI image layout directory (created when missing)
  ocidir://DIR[:TAG][@DIGEST]
  oci-archive:FILE[:REF]    a tar of an OCI image layout
  docker-archive:FILE[:NAME:TAG]  a docker save tar
${examples([
  'ocikit copy alpine:3.20 oci:./alpine:3.20',
  'ocikit cp oci:./alpine:3.20 localhost:5000/alpine:3.20 --plain-http localhost:5000',
  'ocikit copy ghcr.io/org/app:v1 oci-archive:app.tar --platform linux/amd64',
  'ocikit copy ghcr.io/org/app:v1 registry.example.com/app:v1 --referrers',
])}`,
    )
    .action(action(() => import('../commands/copy.ts')));

  leaf(program, 'inspect <location>', 'inspect')
    .description(
      'Show what a location holds: media type, digest, platforms, layers, sizes, created, labels, history',
    )
    .addHelpText(
      'after',
      examples([
        'ocikit inspect alpine:3.20',
        'ocikit inspect oci:./alpine:3.20 --format json',
        'ocikit inspect ghcr.io/org/app:v1 --format raw   # the manifest bytes',
      ]),
    )
    .action(action(() => import('../commands/inspect.ts')));

  leaf(program, 'digest <location>', 'digest')
    .description('Print the digest of the manifest a location names')
    .addHelpText(
      'after',
      examples(['ocikit digest alpine:3.20', 'ocikit digest oci:./alpine:3.20 --format json']),
    )
    .action(action(() => import('../commands/digest.ts')));

  leaf(program, 'config <location>', 'config')
    .description("Print the exact bytes of an image's config (the image of one platform)")
    .addHelpText(
      'after',
      examples([
        'ocikit config alpine@sha256:… --format json',
        'ocikit config oci:./alpine:3.20 | jq .config.Env',
      ]),
    )
    .action(action(() => import('../commands/config.ts')));

  leaf(program, 'platforms <location>', 'platforms')
    .description('List the platforms of an index (or the platform of an image)')
    .addHelpText(
      'after',
      examples(['ocikit platforms alpine:3.20', 'ocikit platforms alpine:3.20 --format json']),
    )
    .action(action(() => import('../commands/platforms.ts')));

  const manifest = leaf(program, 'manifest', 'manifest').description(
    'Read manifests (put, head and delete are planned)',
  );
  leaf(manifest, 'get <location>', 'manifest get')
    .description('Print the exact bytes of the manifest a location names')
    .addHelpText(
      'after',
      examples([
        'ocikit manifest get alpine:3.20 > manifest.json',
        'ocikit manifest get oci:./alpine:3.20 --format json',
      ]),
    )
    .action(action(() => import('../commands/manifest-get.ts')));

  const tag = leaf(program, 'tag', 'tag').description('List, add and remove tags');
  leaf(tag, 'ls <repository>', 'tag ls')
    .alias('list')
    .description('List the tags of a registry repository, a layout or an archive')
    .addHelpText(
      'after',
      examples(['ocikit tag ls ghcr.io/org/app', 'ocikit tag ls oci:./images --format json']),
    )
    .action(action(() => import('../commands/tag-ls.ts')));
  leaf(tag, 'add <location> <tags...>', 'tag add')
    .description(
      'Point more tags of the same repository or layout at the manifest a location names',
    )
    .addHelpText('after', examples(['ocikit tag add localhost:5000/app:v1.2.3 v1.2 v1 latest']))
    .action(action(() => import('../commands/tag-add.ts')));
  leaf(tag, 'rm <location>', 'tag rm')
    .alias('delete')
    .description(
      'Remove a tag; the image and its other tags stay (on a registry that refuses tag deletes, through a throwaway manifest, as regctl does)',
    )
    .addHelpText(
      'after',
      examples(['ocikit tag rm localhost:5000/app:old', 'ocikit tag rm oci:./images:old']),
    )
    .action(action(() => import('../commands/tag-rm.ts')));

  const blob = leaf(program, 'blob', 'blob').description(
    'Read blobs (put, head, delete and mount are planned)',
  );
  leaf(blob, 'get <location>', 'blob get')
    .description('Write a blob of a registry repository, named by digest, to stdout')
    .addHelpText('after', examples(['ocikit blob get ghcr.io/org/app@sha256:… > layer.tar.gz']))
    .action(action(() => import('../commands/blob-get.ts')));

  leaf(program, 'login <registry>', 'login')
    .description(
      "Store a credential for a registry in Docker's config.json, as docker login does (mode 0600, or the credential helper it names)",
    )
    .option('-u, --username <name>', 'the user name')
    .option(
      '-p, --password <password>',
      'the password or token (visible to other users: prefer --password-stdin)',
    )
    .option('--password-stdin', 'read the password or token from stdin')
    .addHelpText(
      'after',
      `\nOn a terminal, a missing user name or password is asked for (the password hidden).
The credential is stored without a request to the registry, as crane auth login does.
${examples([
  'echo "$TOKEN" | ocikit login ghcr.io -u me --password-stdin',
  'DOCKER_CONFIG=./auth ocikit login localhost:5000 -u admin --password-stdin < password.txt',
])}`,
    )
    .action(action(() => import('../commands/login.ts')));

  leaf(program, 'logout <registry>', 'logout')
    .description('Remove the stored credential of a registry, as docker logout does')
    .addHelpText('after', examples(['ocikit logout ghcr.io']))
    .action(action(() => import('../commands/logout.ts')));

  leaf(program, 'serve [directory]', 'serve')
    .description(
      'Run a registry that serves a directory (one OCI layout per repository) or memory, until Ctrl-C or SIGTERM',
    )
    .option('--port <n>', 'the TCP port; 0 picks a free one (default 5000)', port)
    .option('--host <address>', 'the address to listen on (default 127.0.0.1)')
    .option('--memory', 'keep everything in memory instead of a directory')
    .option('--htpasswd <file>', 'require Basic auth against this htpasswd file (htpasswd -B)')
    .option(
      '--token-rules <file>',
      'token auth instead: a JSON file {"grants": [{"repositories", "actions", "users"}]}; users from --htpasswd',
    )
    .option(
      '--access-rules <file>',
      'with --htpasswd: per-repository rights, the same JSON as --token-rules; others get 403 DENIED',
    )
    .option(
      '--tls-cert <file>',
      'serve HTTPS with this PEM certificate (chain first); needs --tls-key',
    )
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--read-only', 'refuse every write (405 UNSUPPORTED)')
    .addHelpText(
      'after',
      `\nThe address goes to stderr once the registry listens; with -v, one JSON line per request.
${examples([
  'ocikit serve ./images --port 5000',
  'ocikit serve --memory --port 0',
  'ocikit serve ./images --htpasswd ./htpasswd --read-only',
  'ocikit serve ./images --htpasswd ./htpasswd --access-rules ./rules.json',
  'ocikit serve ./images --host 0.0.0.0 --tls-cert ./cert.pem --tls-key ./key.pem',
  'ocikit copy oci:./app:v1 127.0.0.1:5000/team/app:v1',
])}`,
    )
    .action(action(() => import('../commands/serve.ts')));

  leaf(program, 'version', 'version')
    .description('Print the version of ocikit and of Node.js')
    .addHelpText('after', examples(['ocikit version', 'ocikit version --format json']))
    .action(action(() => import('../commands/version.ts')));

  return program;
}

/** `tag ls` for the `ls` command under `tag`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(' ');
}
