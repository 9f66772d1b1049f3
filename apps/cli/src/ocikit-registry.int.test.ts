import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  getTestbed,
  makeImage,
  pushImage,
  skopeoInspect,
  startForwardProxy,
  type TestNode,
  uniqueRepo,
  writeDockerConfig,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { ocikit, ocikitInTerminal, tempDir } from './lib/ocikit-process.testing.ts';

const execFileAsync = promisify(execFile);

const MISSING = 'sha256:0000000000000000000000000000000000000000000000000000000000000000';

/** Pushes an image to a new repository of the anonymous registry, tagged `v1`; returns `host/repo`. */
async function seeded(node: TestNode): Promise<string> {
  const repo = uniqueRepo('cli/registry');
  await pushImage({ url: getTestbed().anonymous.url }, repo, node, { tag: 'v1' });
  return `${getTestbed().anonymous.host}/${repo}`;
}

function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('ocikit manifest put, head and delete (the built binary)', () => {
  it('puts bytes from stdin and --file, heads them (exit 3 when absent), deletes by digest, and a tag only with --force', async () => {
    const image = await makeImage({ seed: 'cli-manifest-put' });
    const repo = await seeded(image);
    const text = new TextDecoder().decode(image.manifest.bytes);

    const fromStdin = await ocikit(['manifest', 'put', `${repo}:stdin`], { input: text });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toBe(`${image.manifest.digest}\n`);
    const file = join(await tempDir(), 'manifest.json');
    await writeFile(file, image.manifest.bytes);
    const fromFile = await ocikit([
      'manifest',
      'put',
      `${repo}:file`,
      '--file',
      file,
      '--format',
      'json',
    ]);
    expect(JSON.parse(fromFile.stdout)).toEqual({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
    });
    const inRegistry = (await skopeoInspect(`docker://${repo}:file`)) as { Digest: string };
    expect(inRegistry.Digest).toBe(image.manifest.digest);

    const head = await ocikit(['manifest', 'head', `${repo}:stdin`]);
    expect(head.stdout).toBe(
      `${image.manifest.digest} ${image.manifest.mediaType} ${image.manifest.size}\n`,
    );
    const headJson = JSON.parse(
      (await ocikit(['manifest', 'head', `${repo}:file`, '--format', 'json'])).stdout,
    );
    expect(headJson).toEqual({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
    });
    const absent = await ocikit(['manifest', 'head', `${repo}:absent`]);
    expect(absent.code).toBe(3);
    expect(absent.stderr).toMatch(/^MANIFEST_UNKNOWN: /);

    const byTag = await ocikit(['manifest', 'delete', `${repo}:stdin`]);
    expect(byTag.code).toBe(2);
    expect(byTag.stderr).toContain('--force');
    expect((await ocikit(['manifest', 'head', `${repo}:stdin`])).code).toBe(0);
    const deleted = await ocikit([
      'manifest',
      'delete',
      `${repo}@${image.manifest.digest}`,
      '--format',
      'json',
    ]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({
      deleted: 'manifest',
      digest: image.manifest.digest,
    });
    for (const tag of ['v1', 'stdin', 'file']) {
      expect((await ocikit(['manifest', 'head', `${repo}:${tag}`])).code).toBe(3);
    }

    await ocikit(['manifest', 'put', `${repo}:again`], { input: text });
    const forced = await ocikit(['manifest', 'rm', `${repo}:again`, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await ocikit(['manifest', 'head', `${repo}@${image.manifest.digest}`])).code).toBe(3);
  });

  it('fails with the documented exit codes on bad input, pushing nothing', async () => {
    const image = await makeImage({ seed: 'cli-manifest-bad' });
    const repo = await seeded(image);
    const text = new TextDecoder().decode(image.manifest.bytes);
    const cases = [
      { label: 'malformed reference', args: ['manifest', 'put', 'Bad::Ref'], input: text, code: 2 },
      {
        label: 'missing file',
        args: ['manifest', 'put', `${repo}:x`, '--file', '/nonexistent/m.json'],
        input: '',
        code: 1,
      },
      { label: 'not JSON', args: ['manifest', 'put', `${repo}:x`], input: 'not json', code: 1 },
      {
        label: 'wrong digest',
        args: ['manifest', 'put', `${repo}@${MISSING}`],
        input: text,
        code: 1,
      },
      {
        label: 'head of a malformed reference',
        args: ['manifest', 'head', `${repo}@sha256:xyz`],
        input: '',
        code: 2,
      },
      {
        label: 'delete of an absent digest',
        args: ['manifest', 'delete', `${repo}@${MISSING}`],
        input: '',
        code: 3,
      },
    ];
    for (const { label, args, input, code } of cases) {
      const run = await ocikit(args, { input });
      expect(run.code, `${label}: ${run.stderr}`).toBe(code);
      expect(run.stderr.trim().split('\n'), label).toHaveLength(1);
      expect(run.stderr, label).not.toContain('INTERNAL');
    }
    expect((await ocikit(['manifest', 'head', `${repo}:x`])).code).toBe(3);
  });
});

describe('ocikit manifest put and blob put on a terminal (tmux)', () => {
  it('refuse to wait for stdin typed on a terminal (exit 2), naming what to give instead', async () => {
    const repo = `${getTestbed().anonymous.host}/${uniqueRepo('cli/tty')}`;
    const manifest = await ocikitInTerminal(['manifest', 'put', `${repo}:v1`]);
    expect(manifest.code).toBe(2);
    expect(manifest.screen).toContain('stdin is a terminal');
    const blob = await ocikitInTerminal(['blob', 'put', repo]);
    expect(blob.code).toBe(2);
    expect(blob.screen).toContain('give a FILE');
  });
});

describe('ocikit blob put, head, delete and mount (the built binary)', () => {
  it('puts a file and stdin, heads, mounts across repositories, deletes, with the documented JSON and exit codes', async () => {
    const { host } = getTestbed().anonymous;
    const repo = `${host}/${uniqueRepo('cli/blob')}`;
    const file = join(await tempDir(), 'layer.bin');
    const bytes = 'a blob from a file\n'.repeat(1000);
    await writeFile(file, bytes);

    const put = await ocikit(['blob', 'put', repo, file]);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toBe(`${sha256(bytes)}\n`);
    const stdin = await ocikit(['blob', 'put', repo, '-', '--format', 'json'], {
      input: 'from stdin',
    });
    expect(JSON.parse(stdin.stdout)).toEqual({
      mediaType: 'application/octet-stream',
      digest: sha256('from stdin'),
      size: 10,
    });
    const head = await ocikit(['blob', 'head', `${repo}@${sha256(bytes)}`]);
    expect(head.stdout).toMatch(new RegExp(`^${sha256(bytes)} \\S+ ${bytes.length}\\n$`));
    const got = await ocikit(['blob', 'get', `${repo}@${sha256(bytes)}`]);
    expect(got.stdout).toBe(bytes);

    const other = `${host}/${uniqueRepo('cli/blob-mount')}`;
    const mounted = await ocikit([
      'blob',
      'mount',
      `${repo}@${sha256(bytes)}`,
      other,
      '--format',
      'json',
    ]);
    expect(mounted.code, mounted.stderr).toBe(0);
    expect(JSON.parse(mounted.stdout)).toEqual({
      digest: sha256(bytes),
      size: bytes.length,
      mounted: true,
    });
    expect(mounted.stderr).toContain('Mounted');
    expect((await ocikit(['blob', 'head', `${other}@${sha256(bytes)}`])).code).toBe(0);

    const deleted = await ocikit([
      'blob',
      'delete',
      `${other}@${sha256(bytes)}`,
      '--format',
      'json',
    ]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted: 'blob', digest: sha256(bytes) });
    const gone = await ocikit(['blob', 'head', `${other}@${sha256(bytes)}`]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/^BLOB_UNKNOWN: /);
  });

  it('fails on bad input with the documented exit codes, uploading nothing', async () => {
    const { host } = getTestbed().anonymous;
    const repo = `${host}/${uniqueRepo('cli/blob-bad')}`;
    const cases = [
      { label: 'malformed repository', args: ['blob', 'put', 'UPPER/Case', '-'], code: 2 },
      { label: 'missing file', args: ['blob', 'put', repo, '/nonexistent/blob'], code: 1 },
      { label: 'wrong digest', args: ['blob', 'put', repo, '-', '--digest', MISSING], code: 1 },
      {
        label: 'malformed digest',
        args: ['blob', 'put', repo, '-', '--digest', 'sha256:xyz'],
        code: 2,
      },
      { label: 'a tag for a blob', args: ['blob', 'head', `${repo}:v1`], code: 2 },
      { label: 'absent blob', args: ['blob', 'head', `${repo}@${MISSING}`], code: 3 },
      {
        label: 'mount of an absent blob',
        args: ['blob', 'mount', `${repo}@${MISSING}`, `${repo}-2`],
        code: 3,
      },
      {
        label: 'mount into a tag',
        args: ['blob', 'mount', `${repo}@${MISSING}`, `${repo}:v1`],
        code: 2,
      },
      { label: 'delete without digest', args: ['blob', 'delete', repo], code: 2 },
      { label: 'a layout', args: ['blob', 'head', `oci:/tmp/none@${MISSING}`], code: 1 },
    ];
    for (const { label, args, code } of cases) {
      const run = await ocikit(args, { input: 'content' });
      expect(run.code, `${label}: ${run.stderr}`).toBe(code);
      expect(run.stderr, label).not.toContain('INTERNAL');
    }
    expect((await ocikit(['blob', 'head', `${repo}@${sha256('content')}`])).code).toBe(3);
  });
});

describe('ocikit repo ls and referrers ls (the built binary)', () => {
  it('lists the catalog one per line and as JSON, paginated', async () => {
    const image = await makeImage({ seed: 'cli-repo-ls' });
    const repo = await seeded(image);
    const name = repo.slice(repo.indexOf('/') + 1);
    const { host } = getTestbed().anonymous;
    const listed = await ocikit(['repo', 'ls', host, '--page-size', '3']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')).toContain(name);
    const json = JSON.parse((await ocikit(['repo', 'ls', host, '--format', 'json'])).stdout);
    expect(json.registry).toBe(host);
    expect(json.repositories).toContain(name);
    const after = await ocikit(['repo', 'ls', host, '--last', name]);
    expect(after.stdout.split('\n')).not.toContain(name);
    expect((await ocikit(['repo', 'ls', 'not a host'])).code).toBe(2);
    expect((await ocikit(['repo', 'ls', host, '--page-size', '0'])).code).toBe(2);
  });

  it('draws the referrers of manifests put with a subject as a tree, filters by artifact type, and prints the JSON of artifact discover', async () => {
    const image = await makeImage({ seed: 'cli-referrers' });
    const repo = await seeded(image);
    const put = async (input: string, extra: string[] = []) => {
      const run = await ocikit(['blob', 'put', repo, '-', ...extra], { input });
      expect(run.code, run.stderr).toBe(0);
      return run.stdout.trim();
    };
    await put('{}');
    const artifact = async (
      artifactType: string,
      subject: { digest: string; size: number; mediaType: string },
    ) => {
      const layer = await put(artifactType);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 },
        layers: [{ mediaType: 'text/plain', digest: layer, size: artifactType.length }],
        subject,
      });
      const run = await ocikit(['manifest', 'put', `${repo}@${sha256(manifest)}`], {
        input: manifest,
      });
      expect(run.code, run.stderr).toBe(0);
      return {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha256(manifest),
        size: manifest.length,
      };
    };
    const subject = {
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
    };
    const sbom = await artifact('application/example.sbom', subject);
    const signature = await artifact('application/example.signature', sbom);

    const tree = await ocikit(['referrers', 'ls', `${repo}:v1`]);
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toBe(
      `${repo}:v1@${subject.digest}\n` +
        `└── application/example.sbom  ${sbom.digest}\n` +
        `    └── application/example.signature  ${signature.digest}\n`,
    );
    const json = JSON.parse(
      (await ocikit(['referrers', 'ls', `${repo}:v1`, '--format', 'json'])).stdout,
    );
    expect(json).toMatchObject({
      subject: { digest: subject.digest },
      referrers: [
        {
          digest: sbom.digest,
          artifactType: 'application/example.sbom',
          referrers: [
            {
              digest: signature.digest,
              artifactType: 'application/example.signature',
              referrers: [],
            },
          ],
        },
      ],
    });
    const discovered = await ocikit(['artifact', 'discover', `${repo}:v1`, '--format', 'json']);
    expect(JSON.parse(discovered.stdout), 'the same as artifact discover').toEqual(json);
    const filtered = await ocikit([
      'referrers',
      'ls',
      `${repo}:v1`,
      '--artifact-type',
      'application/example.signature',
    ]);
    expect(filtered.stdout).toBe(`${repo}:v1@${subject.digest}\n`);
    expect((await ocikit(['referrers', 'ls', `${repo}:absent`])).code).toBe(3);
  });
});

describe('ocikit copy --dry-run and --force (the built binary)', () => {
  it('says what would move without writing, then --force sends blobs the destination has', async () => {
    const image = await makeImage({ seed: 'cli-dry-run' });
    const from = `${await seeded(image)}:v1`;
    const to = `${getTestbed().anonymous.host}/${uniqueRepo('cli/dry-run')}:v1`;
    const bytes = [image.config, ...image.layers].reduce((sum, blob) => sum + blob.size, 0);

    const planned = await ocikit(['copy', from, to, '--dry-run', '--format', 'json']);
    expect(planned.code, planned.stderr).toBe(0);
    expect(JSON.parse(planned.stdout)).toMatchObject({
      dryRun: true,
      digest: image.manifest.digest,
      blobsCopied: 1 + image.layers.length,
      bytesCopied: bytes,
    });
    expect(planned.stderr).toContain('nothing written');
    expect((await ocikit(['manifest', 'head', to])).code).toBe(3);
    const dir = join(await tempDir(), 'never');
    expect((await ocikit(['copy', from, `oci:${dir}:v1`, '--dry-run'])).code).toBe(0);
    expect(existsSync(dir)).toBe(false);

    expect((await ocikit(['copy', from, to])).code).toBe(0);
    const forced = JSON.parse(
      (await ocikit(['copy', from, to, '--force', '--format', 'json'])).stdout,
    );
    expect(forced).toMatchObject({
      dryRun: false,
      blobsCopied: 1 + image.layers.length,
      blobsMounted: 0,
      bytesCopied: bytes,
    });
  });
});

describe('ocikit copy with the blob cache (the built binary)', () => {
  it('mounts the blobs of a layout pushed into a new repository from where the pull that made the layout saw them; --no-blob-cache sends them', async () => {
    const image = await makeImage({ seed: 'cli-blob-cache' });
    const from = `${await seeded(image)}:v1`;
    const dir = await tempDir();
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const cacheFile = join(dir, 'cache', 'ocikit', 'blob-locations.json');
    const layout = `oci:${join(dir, 'layout')}:v1`;
    const host = getTestbed().anonymous.host;
    const copy = async (source: string, destination: string, ...flags: string[]) => {
      const run = await ocikit(['copy', source, destination, '--format', 'json', ...flags], {
        env,
      });
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as Record<string, unknown>;
    };

    await copy(from, layout, '--dry-run');
    expect(existsSync(cacheFile)).toBe(false);
    await copy(from, layout);
    expect(existsSync(cacheFile)).toBe(true);
    const pushed = await copy(layout, `${host}/${uniqueRepo('cli/blob-cache')}:v1`);
    expect(pushed).toMatchObject({ blobsMounted: 1 + image.layers.length, bytesCopied: 0 });
    const uncached = await copy(
      layout,
      `${host}/${uniqueRepo('cli/blob-cache')}:v1`,
      '--no-blob-cache',
    );
    expect(uncached).toMatchObject({ blobsCopied: 1 + image.layers.length, blobsMounted: 0 });
  });
});

describe('ocikit copy with a cache directory others can write (the built binary)', () => {
  it('uses no blob cache and no upload sessions there, says so on stderr, and copies', async () => {
    const image = await makeImage({ seed: 'cli-unsafe-cache' });
    const from = `${await seeded(image)}:v1`;
    const dir = await tempDir();
    const shared = join(dir, 'cache', 'ocikit');
    await mkdir(shared, { recursive: true });
    await chmod(shared, 0o777);
    const run = await ocikit(['copy', from, `oci:${join(dir, 'layout')}:v1`, '--resume-uploads'], {
      env: { XDG_CACHE_HOME: join(dir, 'cache') },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('warning: no blob cache and no resumable uploads');
    expect(await readdir(shared)).not.toContain('blob-locations.json');
  });
});

describe('ocikit completion (the built binary, completed by a real bash)', () => {
  it('completes subcommands, aliases, flags and flag values in bash; zsh and fish scripts come from the same tree', async () => {
    const script = join(await tempDir(), 'ocikit.bash');
    const bash = await ocikit(['completion', 'bash']);
    expect(bash.code, bash.stderr).toBe(0);
    await writeFile(script, bash.stdout);
    const lines = [
      'ocikit man',
      'ocikit manifest h',
      'ocikit --format j',
      'ocikit blob m',
      'ocikit cp --dry',
      'ocikit tag l',
      'ocikit referrers ls --art',
      'ocikit completion f',
    ];
    const program = [
      `source ${script}`,
      'complete -p ocikit',
      ...lines.map(
        (line) =>
          `read -ra COMP_WORDS <<< ${JSON.stringify(line)}; COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _ocikit_completion; echo "\${COMPREPLY[*]}"`,
      ),
    ].join('\n');
    const { stdout } = await execFileAsync('bash', ['--norc', '-c', program]);
    expect(stdout.split('\n').slice(0, lines.length + 1)).toEqual([
      'complete -o default -F _ocikit_completion ocikit',
      'manifest',
      'head',
      'json',
      'mount',
      '--dry-run',
      'ls list',
      '--artifact-type',
      'fish',
    ]);

    const zsh = await ocikit(['completion', 'zsh']);
    expect(zsh.stdout.split('\n').slice(0, 2)).toEqual([
      '#compdef ocikit',
      'autoload -U +X bashcompinit && bashcompinit',
    ]);
    expect(zsh.stdout).toContain(bash.stdout);
    const fish = await ocikit(['completion', 'fish']);
    expect(fish.stdout).toContain(
      "complete -c ocikit -f -n '__fish_seen_subcommand_from blob; and not __fish_seen_subcommand_from get put head delete rm mount' -a 'mount'",
    );
    const unknown = await ocikit(['completion', 'tcsh']);
    expect(unknown.code).toBe(2);
  });
});

describe('ocikit through HTTP_PROXY (the built binary, a real forward proxy)', () => {
  it('sends registry requests through HTTP_PROXY with a Basic login, and straight to NO_PROXY hosts', async () => {
    const { basic } = getTestbed();
    const image = await makeImage({ seed: 'cli-proxy' });
    const repo = `${basic.host}/${uniqueRepo('cli/proxy')}`;
    await pushImage(
      { url: basic.url, credentials: basic.users.push },
      repo.slice(basic.host.length + 1),
      image,
      { tag: 'v1' },
    );
    const proxy = await startForwardProxy();
    try {
      const dir = await tempDir();
      await writeDockerConfig(dir, { [basic.host]: basic.users.push });
      const env = { DOCKER_CONFIG: dir, HTTP_PROXY: proxy.url };

      const through = await ocikit(['manifest', 'head', `${repo}:v1`], { env });
      expect(through.code, through.stderr).toBe(0);
      expect(through.stdout.split(' ')[0]).toBe(image.manifest.digest);
      expect(proxy.records.map((record) => record.target)).toContain(basic.host);

      const before = proxy.records.length;
      const direct = await ocikit(['manifest', 'head', `${repo}:v1`], {
        env: { ...env, NO_PROXY: '127.0.0.1' },
      });
      expect(direct.code, direct.stderr).toBe(0);
      expect(proxy.records.length).toBe(before);
    } finally {
      await proxy.stop();
    }
  });
});
