import { describe, expect, it } from 'vitest';
import { faultClient, getTestbed, makeImage, pushImage, randomBlob, uniqueRepo } from './index.ts';

const { faults, anonymous } = getTestbed();
const control = faultClient(faults.controlUrl);

/** Uploads a random blob straight to the registry; returns its path and bytes. */
async function seededBlob(label: string) {
  const repo = uniqueRepo(`testbed/faults-${label}`);
  const layer = await randomBlob({ size: 4096, seed: repo });
  const upload = await fetch(`${anonymous.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(upload.headers.get('location') ?? '', anonymous.url);
  location.searchParams.set('digest', layer.digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: layer.stream(),
    duplex: 'half',
  } as RequestInit);
  expect(put.status).toBe(201);
  const bytes = new Uint8Array(await new Response(layer.stream()).arrayBuffer());
  return { blobPath: `/v2/${repo}/blobs/${layer.digest}`, bytes };
}

describe('fault proxy', () => {
  it('answers 503 the given number of times, then forwards', async () => {
    const repo = uniqueRepo('testbed/faults-503');
    const path = `/v2/${repo}/tags/list`;
    const rule = await control.add({
      method: 'GET',
      path,
      times: 2,
      fault: { type: 'status', status: 503 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${faults.url}${path}`);
      await response.body?.cancel();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([503, 503, 404]);
    expect(await rule.hits()).toBe(2);
    const seen = await control.requests(path);
    expect(seen.map((request) => [request.status, request.fault?.type])).toEqual([
      [503, 'status'],
      [503, 'status'],
      [404, undefined],
    ]);
    await rule.remove();
    expect((await control.rules()).some((state) => state.id === rule.id)).toBe(false);
  });

  it('forwards with headers added: a repeated Warning and rate-limit headers', async () => {
    const { blobPath, bytes } = await seededBlob('headers');
    const rule = await control.add({
      path: blobPath,
      fault: {
        type: 'headers',
        headers: { Warning: ['299 - "one"', '299 - "two"'], 'RateLimit-Remaining': '7;w=60' },
      },
    });
    const response = await fetch(`${faults.url}${blobPath}`);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    expect(response.headers.get('warning')).toBe('299 - "one", 299 - "two"');
    expect(response.headers.get('ratelimit-remaining')).toBe('7;w=60');
    expect(response.headers.get('docker-content-digest')).toMatch(/^sha256:/);
    expect(await rule.hits()).toBe(1);
  });

  it('sends Retry-After as seconds or as an HTTP date', async () => {
    const repo = uniqueRepo('testbed/faults-429');
    const cases = [
      { label: 'seconds', format: 'seconds' as const, check: (value: string) => value === '3' },
      {
        label: 'http-date',
        format: 'http-date' as const,
        check: (value: string) => {
          const delta = Date.parse(value) - Date.now();
          return delta > 1000 && delta <= 3000;
        },
      },
    ];
    for (const { label, format, check } of cases) {
      const path = `/v2/${repo}/manifests/${label}`;
      await control.add({
        path,
        fault: { type: 'status', status: 429, retryAfter: 3, retryAfterFormat: format },
      });
      const response = await fetch(`${faults.url}${path}`);
      expect(response.status, label).toBe(429);
      expect(check(response.headers.get('retry-after') ?? ''), label).toBe(true);
      expect(await response.json(), label).toMatchObject({ errors: [{ code: 'TOOMANYREQUESTS' }] });
    }
  });

  it('drops the connection mid-headers and mid-body, truncates, corrupts and delays', async () => {
    const { blobPath, bytes } = await seededBlob('body');
    const url = `${faults.url}${blobPath}`;

    await control.add({ path: blobPath, fault: { type: 'drop-headers' } });
    await expect(fetch(url)).rejects.toThrow();

    await control.add({ path: blobPath, fault: { type: 'drop-body', afterBytes: 1000 } });
    const dropped = await fetch(url);
    expect(dropped.status).toBe(200);
    expect(dropped.headers.get('content-length')).toBe(String(bytes.byteLength));
    await expect(dropped.arrayBuffer()).rejects.toThrow();

    await control.add({ path: blobPath, fault: { type: 'truncate', bytes: 100 } });
    const truncated = await fetch(url);
    expect(truncated.headers.get('content-length')).toBe('100');
    const short = new Uint8Array(await truncated.arrayBuffer());
    expect(Buffer.from(short).equals(Buffer.from(bytes.subarray(0, 100)))).toBe(true);

    await control.add({ path: blobPath, fault: { type: 'corrupt', offset: 2000 } });
    const corrupted = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(corrupted.byteLength).toBe(bytes.byteLength);
    const differing = [...corrupted.keys()].filter((index) => corrupted[index] !== bytes[index]);
    expect(differing).toEqual([2000]);

    await control.add({ path: blobPath, fault: { type: 'delay', ms: 300 } });
    const startedAt = performance.now();
    const delayed = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(Buffer.from(delayed).equals(Buffer.from(bytes))).toBe(true);

    const passed = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(Buffer.from(passed).equals(Buffer.from(bytes))).toBe(true);
  });

  it('forwards uploads with Locations that point back at the proxy', async () => {
    const repo = uniqueRepo('testbed/faults-push');
    const image = await makeImage({ seed: repo });
    await control.add({
      method: 'PUT',
      path: `/v2/${repo}/blobs/uploads/`,
      fault: { type: 'status', status: 503 },
    });
    await expect(pushImage({ url: faults.url }, repo, image)).rejects.toThrow(/503/);
    await pushImage({ url: faults.url }, repo, image, { tag: 'v1' });
    const methods = (await control.requests(`/v2/${repo}/`)).map((request) => request.method);
    expect(methods).toContain('PUT');
    const response = await fetch(`${anonymous.url}/v2/${repo}/tags/list`);
    expect(await response.json()).toEqual({ name: repo, tags: ['v1'] });
  });

  it('rejects malformed rules with 400', async () => {
    const cases = [
      { label: 'no path', rule: { fault: { type: 'delay', ms: 1 } } },
      { label: 'bad regex', rule: { path: '(', fault: { type: 'delay', ms: 1 } } },
      { label: 'bad type', rule: { path: 'x', fault: { type: 'explode' } } },
      { label: 'bad times', rule: { path: 'x', times: 0, fault: { type: 'delay', ms: 1 } } },
    ];
    for (const { label, rule } of cases) {
      const response = await fetch(faults.controlUrl, {
        method: 'POST',
        body: JSON.stringify(rule),
      });
      await response.body?.cancel();
      expect(response.status, label).toBe(400);
    }
  });
});
