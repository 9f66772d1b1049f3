import { Argument, type Command, CommanderError, Option, program as root } from 'commander';
import { completionScript, SHELLS, type Shell } from './completion.ts';
import { FORMATS, type GlobalFlags, type Session } from './session.ts';
import { parseBytes } from './units.ts';

/**
 * A command's code: positional arguments, its own flags, the session. It
 * may resolve to an exit code for an outcome that is no thrown error (a
 * sync with failed items); nothing means `EXIT.ok`.
 */
export type CommandRun = (
  args: string[],
  flags: Record<string, unknown>,
  session: Session,
) => Promise<void> | Promise<number>;

/** Where the parser records the command that runs, for the error line. */
export interface RunState {
  command: string;
  args: string[];
  /** `--debug` was given: the error's stack follows its line. */
  debug: boolean;
  /** The exit code the command resolved to, if any. */
  exitCode?: number;
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

/** The help of `--no-blob-cache` (copy, sync; see cache-files.ts). */
const NO_BLOB_CACHE_HELP =
  'neither read nor record where blobs were seen ($XDG_CACHE_HOME/ocikit/blob-locations.json, to mount them from)';

/** The help of `--resume-uploads` (copy, sync; see cache-files.ts). */
const RESUME_UPLOADS_HELP =
  'upload blobs to registries in 8 MiB chunks through sessions kept in $XDG_CACHE_HOME/ocikit/upload-sessions.json: a rerun continues a half-sent blob';

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1) {
    throw new CommanderError(2, 'commander.invalidArgument', `not an integer ≥ 1: "${value}"`);
  }
  return number;
}

function size(value: string): number {
  const bytes = parseBytes(value);
  if (bytes === undefined || bytes < 1) {
    throw new CommanderError(
      2,
      'commander.invalidArgument',
      `not a size such as 512MiB or 2GiB: "${value}"`,
    );
  }
  return bytes;
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
Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 authentication or permission, 5 sync stopped by a rate limit.`,
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
      const exitCode = await run(args, command.opts(), session);
      if (typeof exitCode === 'number') state.exitCode = exitCode;
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
    .option(
      '--parallel-ranges <n>',
      'fetch each blob of 64 MiB or more from a registry as N Range requests at once',
      positiveInteger,
    )
    .option(
      '--dry-run',
      'say what would move and how many bytes (the destination is only asked what it has); write nothing',
    )
    .option('--force', 'skip nothing and mount nothing: send every blob and manifest again')
    .option('--no-blob-cache', NO_BLOB_CACHE_HELP)
    .option('--resume-uploads', RESUME_UPLOADS_HELP)
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
  'ocikit copy ghcr.io/org/app:v1 registry.example.com/app:v1 --dry-run --format json',
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
    'Get, put, head and delete manifests',
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
  leaf(manifest, 'put <location>', 'manifest put')
    .description(
      'Push manifest bytes as they are (from stdin or --file) under the tag or digest a location names; prints the digest',
    )
    .option('-f, --file <file>', 'read the manifest from this file instead of stdin')
    .option(
      '--media-type <type>',
      "the manifest's media type (default: the document's mediaType, else its shape)",
    )
    .addHelpText(
      'after',
      examples([
        'ocikit manifest put localhost:5000/app:v2 < manifest.json',
        'ocikit manifest put localhost:5000/app:v2 --file manifest.json --format json',
        'ocikit manifest get alpine:3.20 | ocikit manifest put localhost:5000/alpine:3.20',
      ]),
    )
    .action(action(() => import('../commands/manifest-put.ts')));
  leaf(manifest, 'head <location>', 'manifest head')
    .description(
      'Print the digest, media type and size of the manifest a location names, without reading it (exit 3 when absent)',
    )
    .addHelpText(
      'after',
      examples([
        'ocikit manifest head alpine:3.20',
        'ocikit manifest head localhost:5000/app:v1 --format json',
      ]),
    )
    .action(action(() => import('../commands/manifest-head.ts')));
  leaf(manifest, 'delete <location>', 'manifest delete')
    .alias('rm')
    .description(
      'Delete a manifest by digest, with every tag pointing at it; a tag is refused unless --force (to remove only a tag: tag rm)',
    )
    .option('--force', 'accept a tag: delete the manifest it points at, and with it all its tags')
    .addHelpText(
      'after',
      examples([
        'ocikit manifest delete localhost:5000/app@sha256:…',
        'ocikit manifest delete localhost:5000/app:old --force',
      ]),
    )
    .action(action(() => import('../commands/manifest-delete.ts')));

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
    'Get, put, head, delete and mount blobs of registry repositories',
  );
  leaf(blob, 'get <location>', 'blob get')
    .description('Write a blob of a registry repository, named by digest, to stdout or a file')
    .option(
      '-o, --output <file>',
      'write to FILE instead (atomically: nothing is left of a failed or interrupted download)',
    )
    .addHelpText(
      'after',
      examples([
        'ocikit blob get ghcr.io/org/app@sha256:… > layer.tar.gz',
        'ocikit blob get ghcr.io/org/app@sha256:… -o layer.tar.gz',
      ]),
    )
    .action(action(() => import('../commands/blob-get.ts')));
  leaf(blob, 'put <repository> [file]', 'blob put')
    .description(
      'Upload a file, or stdin ("-" or none), as a blob, streamed and verified; prints the digest',
    )
    .option('--digest <digest>', 'the digest the content must have (nothing is uploaded otherwise)')
    .option('--media-type <type>', 'the media type of the --format json output')
    .addHelpText(
      'after',
      examples([
        'ocikit blob put localhost:5000/app layer.tar.gz',
        'tar -c dir | ocikit blob put localhost:5000/app -',
        'ocikit blob put localhost:5000/app config.json --digest sha256:…',
      ]),
    )
    .action(action(() => import('../commands/blob-put.ts')));
  leaf(blob, 'head <location>', 'blob head')
    .description(
      'Print the digest, media type and size of a blob named by digest (exit 3 when absent)',
    )
    .addHelpText(
      'after',
      examples([
        'ocikit blob head localhost:5000/app@sha256:…',
        'ocikit blob head ghcr.io/org/app@sha256:… --format json',
      ]),
    )
    .action(action(() => import('../commands/blob-head.ts')));
  leaf(blob, 'delete <location>', 'blob delete')
    .alias('rm')
    .description('Delete a blob of a registry repository by digest (manifests using it break)')
    .addHelpText('after', examples(['ocikit blob delete localhost:5000/app@sha256:…']))
    .action(action(() => import('../commands/blob-delete.ts')));
  leaf(blob, 'mount <source> <destination>', 'blob mount')
    .description(
      'Make a blob (SOURCE-REPO@DIGEST) present in another repository: a cross-repository mount on one registry, else its bytes copied; says which',
    )
    .addHelpText(
      'after',
      examples([
        'ocikit blob mount localhost:5000/base@sha256:… localhost:5000/app',
        'ocikit blob mount ghcr.io/org/base@sha256:… registry.example.com/app --format json',
      ]),
    )
    .action(action(() => import('../commands/blob-mount.ts')));

  const repo = leaf(program, 'repo', 'repo').description('List the repositories of a registry');
  leaf(repo, 'ls <registry>', 'repo ls')
    .alias('list')
    .description("List a registry's repositories (the catalog, every page)")
    .option('--last <repository>', 'start after this repository (pagination)')
    .option('--page-size <n>', 'repositories asked for per request', positiveInteger)
    .addHelpText(
      'after',
      examples(['ocikit repo ls localhost:5000', 'ocikit repo ls localhost:5000 --format json']),
    )
    .action(action(() => import('../commands/repo-ls.ts')));

  const referrers = leaf(program, 'referrers', 'referrers').description(
    'List the referrers (signatures, SBOMs, attestations) of a manifest',
  );
  leaf(referrers, 'ls <location>', 'referrers ls')
    .alias('list')
    .description(
      'Show the referrers of the manifest a location names, and theirs, as a tree with their artifact types (as artifact discover)',
    )
    .option('--artifact-type <type>', 'only referrers of this artifact type (at every depth)')
    .option('--depth <n>', 'levels of referrers to follow (default 16, the most)', positiveInteger)
    .addHelpText(
      'after',
      examples([
        'ocikit referrers ls ghcr.io/org/app:v1',
        'ocikit referrers ls ghcr.io/org/app:v1 --artifact-type application/spdx+json --format json',
      ]),
    )
    .action(action(() => import('../commands/artifact-discover.ts')));

  const artifact = leaf(program, 'artifact', 'artifact').description(
    'Push, pull, attach and discover artifacts (files as layers), the way oras does',
  );
  leaf(artifact, 'push <location> <files...>', 'artifact push')
    .description(
      'Push files and directories as an artifact: each a layer titled with its base name, an empty config, an artifactType',
    )
    .option(
      '--artifact-type <type>',
      'the artifactType of the manifest (default application/vnd.unknown.artifact.v1)',
    )
    .option('--annotation <key=value>', 'an annotation of the manifest (repeatable)', collect)
    .option('--concurrency <n>', 'the most files moving at once (default 4)', positiveInteger)
    .option(
      '--preserve-times',
      "keep modification times in a directory's archive (no longer reproducible)",
    )
    .addHelpText(
      'after',
      `\nA file is PATH or PATH:MEDIATYPE (default application/vnd.oci.image.layer.v1.tar), as oras push.
A directory becomes one tar archive, gzip-compressed (default application/vnd.oci.image.layer.v1.tar+gzip),
annotated io.deis.oras.content.digest and io.deis.oras.content.unpack=true as oras does; it is
reproducible (sorted, mtime 0, owner 0). Links must stay inside it; FIFOs and devices are refused.
The manifest gets org.opencontainers.image.created unless an --annotation sets it.
${examples([
  'ocikit artifact push localhost:5000/docs:v1 README.md:text/markdown',
  'ocikit artifact push localhost:5000/site:v1 ./public',
  'ocikit artifact push ghcr.io/org/policy:v2 policy.rego --artifact-type application/vnd.example.policy.v1',
  'ocikit artifact push oci:./artifacts:v1 a.bin b.bin --annotation org.opencontainers.image.source=https://example.com/repo',
])}`,
    )
    .action(action(() => import('../commands/artifact-push.ts')));
  leaf(artifact, 'pull <location>', 'artifact pull')
    .description(
      'Write the files of an artifact (each layer with a title) into a directory, verified and atomically; unpack its directories',
    )
    .option('-o, --output <dir>', 'the directory to write into (default .)')
    .option('--concurrency <n>', 'the most files written at once (default 4)', positiveInteger)
    .addHelpText(
      'after',
      `\nA title that is an absolute path, climbs out with "..", or meets a symbolic link refuses the
whole pull before anything is written. Layers without a title are skipped, as oras does.
A layer annotated io.deis.oras.content.unpack=true is a directory: its tar+gzip is unpacked into a
temp directory beside its title, checked against io.deis.oras.content.digest, then renamed into place
(replacing a directory already there). An entry that escapes (absolute, "..", through a link, a link
or hard link outside), a FIFO or device, or a bad archive refuses the pull and leaves nothing behind.
${examples([
  'ocikit artifact pull localhost:5000/docs:v1 -o ./docs',
  'ocikit artifact pull oci:./artifacts:v1 --format json',
])}`,
    )
    .action(action(() => import('../commands/artifact-pull.ts')));
  leaf(artifact, 'attach <subject> <files...>', 'artifact attach')
    .description(
      'Attach files to a manifest as a referrer (a manifest with subject), found by the referrers API or its tag-schema fallback',
    )
    .requiredOption('--artifact-type <type>', 'the artifactType of the referrer (required)')
    .option('--annotation <key=value>', 'an annotation of the manifest (repeatable)', collect)
    .option('--concurrency <n>', 'the most files moving at once (default 4)', positiveInteger)
    .addHelpText(
      'after',
      examples([
        'ocikit artifact attach localhost:5000/app:v1 sbom.spdx.json:application/spdx+json --artifact-type application/spdx+json',
        'ocikit artifact attach oci:./app:v1 sig.bundle --artifact-type application/vnd.dev.sigstore.bundle.v0.3+json',
      ]),
    )
    .action(action(() => import('../commands/artifact-attach.ts')));
  leaf(artifact, 'discover <location>', 'artifact discover')
    .description(
      'List the referrers of a manifest (and theirs in turn): a tree, or --format table or json',
    )
    .option('--artifact-type <type>', 'only referrers of this artifact type')
    .option('--depth <n>', 'levels of referrers to follow (default 16, the most)', positiveInteger)
    .addHelpText(
      'after',
      examples([
        'ocikit artifact discover localhost:5000/app:v1',
        'ocikit artifact discover ghcr.io/org/app:v1 --artifact-type application/spdx+json --format json',
        'ocikit artifact discover oci:./app:v1 --format table',
      ]),
    )
    .action(action(() => import('../commands/artifact-discover.ts')));

  const layout = leaf(program, 'layout', 'layout').description(
    'List, garbage-collect, export and import OCI image layout directories',
  );
  leaf(layout, 'ls <dir>', 'layout ls')
    .alias('list')
    .description(
      'List the manifests of a layout: tags, digests, platforms or artifact types, sizes',
    )
    .addHelpText(
      'after',
      examples(['ocikit layout ls ./images', 'ocikit layout ls ./images --format json']),
    )
    .action(action(() => import('../commands/layout-ls.ts')));
  leaf(layout, 'gc <dir>', 'layout gc')
    .description(
      'Remove the blobs no tag or referrer of a layout reaches; prints what was freed (not while a copy writes into it)',
    )
    .option('--dry-run', 'print what would be removed, remove nothing')
    .addHelpText(
      'after',
      examples(['ocikit layout gc ./images --dry-run', 'ocikit layout gc ./images --format json']),
    )
    .action(action(() => import('../commands/layout-gc.ts')));
  leaf(layout, 'export <dir> <file>', 'layout export')
    .description(
      'Write a layout as an oci-archive tar, atomically (skopeo reads it as oci-archive:FILE)',
    )
    .addHelpText('after', examples(['ocikit layout export ./images images.tar']))
    .action(action(() => import('../commands/layout-export.ts')));
  leaf(layout, 'import <file> <dir>', 'layout import')
    .description(
      'Import an oci-archive or a docker save tar into a layout (created when missing), with its tags',
    )
    .addHelpText(
      'after',
      examples([
        'ocikit layout import images.tar ./images',
        'docker save app:v1 -o app.tar && ocikit layout import app.tar ./images',
      ]),
    )
    .action(action(() => import('../commands/layout-import.ts')));

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
    .option(
      '--memory-limit <size>',
      'with --memory, the most bytes held (pushes beyond it get 403 DENIED; default 1GiB)',
      size,
    )
    .option('--htpasswd <file>', 'require Basic auth against this htpasswd file (htpasswd -B)')
    .option(
      '--token-rules <file>',
      'token auth instead: a JSON file {"grants": [{"repositories", "actions", "users"}]}; users from --htpasswd',
    )
    .option(
      '--access-rules <file>',
      'with --htpasswd: per-repository rights, the same JSON as --token-rules; others get 403 DENIED',
    )
    .option('--read-only', 'refuse every write (405 UNSUPPORTED)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate chain (PEM); needs --tls-key')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
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

  // sync: mirror many repositories from a plan file
  leaf(program, 'sync <plan>', 'sync')
    .description(
      'Mirror the tags of many repositories, and single images, from a YAML plan (regsync / skopeo sync): only what changed is copied',
    )
    .option('--shard <i/n>', 'sync only shard i of n (0 ≤ i < n) of the plan, such as 0/3')
    .option('--dry-run', 'copy nothing; list what would be copied')
    .option(
      '--concurrency <n>',
      'the most blobs moving at once per copy (default 4)',
      positiveInteger,
    )
    .option('--no-blob-cache', NO_BLOB_CACHE_HELP)
    .option('--resume-uploads', RESUME_UPLOADS_HELP)
    .addHelpText(
      'after',
      `\nA plan entry is a repository (its tags that a filter takes) or, with "type: image", one image
(source "REPO:TAG" or "REPO@DIGEST", destination "REPO[:TAG]"). Sources may be registries, oci: layouts
or oci-archive: files (plain or gzip); destinations registries or oci: layout directories.
One line per tag goes to stderr as it is done; the table of every tag (or --format json) to stdout.
Exit codes: 0 all in sync, 1 a tag or repository failed, 5 stopped early by a registry's rate limit (run again later).
${examples([
  'ocikit sync mirror.yaml',
  'ocikit sync mirror.yaml --dry-run',
  'ocikit sync mirror.yaml --shard 1/3 --format json',
])}`,
    )
    .action(action(() => import('../commands/sync.ts')));

  leaf(program, 'completion', 'completion')
    .description(
      'Print the completion script of a shell (bash, zsh or fish), made from this command tree',
    )
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `\nLoad it in the shell's start-up file, or install it where the shell looks for completions.
${examples([
  'source <(ocikit completion bash)            # in ~/.bashrc',
  'ocikit completion zsh > ~/.zsh/completions/_ocikit   # a directory in $fpath',
  'ocikit completion fish > ~/.config/fish/completions/ocikit.fish',
])}`,
    )
    .action((shell: Shell) => {
      state.command = 'completion';
      state.args = [shell];
      process.stdout.write(completionScript(shell, program));
    });

  leaf(program, 'version', 'version')
    .description('Print the version of ocikit and of its runtime (Node.js, Bun or Deno)')
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
