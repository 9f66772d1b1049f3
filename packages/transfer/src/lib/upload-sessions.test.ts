import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempDirs } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { FileUploadSessions } from './file-upload-sessions.node.ts';
import { MemoryUploadSessions } from './upload-sessions.ts';

const tempDir = tempDirs('ocikit-transfer-sessions-');
const here = { registry: 'registry.example:5000', repository: 'app' };
const there = { registry: 'registry.example:5000', repository: 'other' };

describe('upload session stores', () => {
  it('MemoryUploadSessions keeps one location per repository and digest, moved by set, gone after delete', async () => {
    const sessions = new MemoryUploadSessions();
    await sessions.set(here, 'sha256:aa', '/v2/app/blobs/uploads/1?_state=a');
    await sessions.set(there, 'sha256:aa', '/v2/other/blobs/uploads/2');
    await sessions.set(here, 'sha256:aa', '/v2/app/blobs/uploads/1?_state=b');
    expect(await sessions.get(here, 'sha256:aa')).toBe('/v2/app/blobs/uploads/1?_state=b');
    expect(await sessions.get(there, 'sha256:aa')).toBe('/v2/other/blobs/uploads/2');
    await sessions.delete(here, 'sha256:aa');
    expect(await sessions.get(here, 'sha256:aa')).toBeUndefined();
    expect(sessions.entries()).toHaveLength(1);
  });

  it('FileUploadSessions writes each change, merged with other stores of the file, in a private directory', async () => {
    const file = join(await tempDir(), 'private', 'sessions.json');
    const first = await FileUploadSessions.open(file);
    const second = await FileUploadSessions.open(file);
    await first.set(here, 'sha256:aa', 'location-a');
    await second.set(there, 'sha256:bb', 'location-b');
    const reopened = await FileUploadSessions.open(file);
    expect(await reopened.get(here, 'sha256:aa')).toBe('location-a');
    expect(await reopened.get(there, 'sha256:bb')).toBe('location-b');
    await reopened.delete(here, 'sha256:aa');
    expect((await FileUploadSessions.open(file)).entries()).toEqual([
      [there.registry, there.repository, 'sha256:bb', 'location-b'],
    ]);
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(1);
  });

  it('FileUploadSessions writes its file for its owner only (0600), also in an existing open directory', async () => {
    const dir = await tempDir();
    await chmod(dir, 0o755);
    const file = join(dir, 'sessions.json');
    await (await FileUploadSessions.open(file)).set(
      here,
      'sha256:aa',
      '/v2/app/blobs/uploads/1?_state=secret',
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('FileUploadSessions that cannot read or write its file keeps the sessions in memory and fails nothing', async () => {
    const file = join(await tempDir(), 'regular');
    await writeFile(file, '');
    const sessions = await FileUploadSessions.open(join(file, 'sessions.json'));
    await sessions.set(here, 'sha256:aa', '/v2/app/blobs/uploads/1');
    expect(await sessions.get(here, 'sha256:aa')).toBe('/v2/app/blobs/uploads/1');
    await sessions.delete(here, 'sha256:aa');
    expect(await sessions.get(here, 'sha256:aa')).toBeUndefined();
  });

  it('FileUploadSessions reads a missing, non-JSON or foreign file as holding no sessions', async () => {
    const dir = await tempDir();
    const cases: [string, string | undefined][] = [
      ['missing', undefined],
      ['not JSON', '{"version":1,'],
      ['another version', '{"version":2,"sessions":[["a","b","c","d"]]}'],
      ['bad entries', '{"version":1,"sessions":[["a","b"],[1,2,3,4],"x"]}'],
    ];
    for (const [label, text] of cases) {
      const file = join(dir, `${label.replaceAll(' ', '-')}.json`);
      if (text !== undefined) await writeFile(file, text);
      expect((await FileUploadSessions.open(file)).entries(), label).toEqual([]);
    }
  });
});
