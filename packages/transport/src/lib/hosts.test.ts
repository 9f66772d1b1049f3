import { describe, expect, it } from 'vitest';
import { endpointsFor, isLoopbackHost } from './hosts.ts';

describe('isLoopbackHost', () => {
  it('knows localhost, 127.0.0.0/8 and ::1, with or without a port', () => {
    const cases: [string, boolean][] = [
      ['localhost', true],
      ['localhost:5000', true],
      ['127.0.0.1', true],
      ['127.1.2.3:443', true],
      ['[::1]:5000', true],
      ['::1', true],
      ['128.0.0.1', false],
      ['localhost.example.com', false],
      ['registry-1.docker.io', false],
    ];
    for (const [host, expected] of cases) expect(isLoopbackHost(host), host).toBe(expected);
  });
});

describe('endpointsFor', () => {
  it('maps docker.io to its API host and uses https', () => {
    expect(endpointsFor(undefined, 'docker.io', true)).toEqual([
      { host: 'registry-1.docker.io', prefix: '', scheme: 'https', mirror: false },
    ]);
  });

  it('detects the scheme of insecure and loopback hosts, and uses http where told', () => {
    expect(endpointsFor(undefined, 'localhost:5000', false)[0]?.scheme).toBe('detect');
    expect(endpointsFor({ 'r.example': { insecure: true } }, 'r.example', false)[0]?.scheme).toBe(
      'detect',
    );
    expect(endpointsFor({ 'r.example': { plainHttp: true } }, 'r.example', false)[0]?.scheme).toBe(
      'http',
    );
    expect(
      endpointsFor({ 'localhost:5000': { insecure: false } }, 'localhost:5000', false)[0]?.scheme,
    ).toBe('https');
    expect(endpointsFor(() => ({ plainHttp: true }), 'any', false)[0]?.scheme).toBe('http');
  });

  it('puts mirrors first for reads only, in order, with their own schemes and prefixes', () => {
    const hosts = {
      'docker.io': { mirrors: ['mirror.example:5000', 'http://cache.example/dockerhub/'] },
    };
    expect(endpointsFor(hosts, 'docker.io', true)).toEqual([
      { host: 'mirror.example:5000', prefix: '', scheme: 'https', mirror: true },
      { host: 'cache.example', prefix: '/dockerhub', scheme: 'http', mirror: true },
      { host: 'registry-1.docker.io', prefix: '', scheme: 'https', mirror: false },
    ]);
    expect(endpointsFor(hosts, 'docker.io', false)).toHaveLength(1);
  });

  it('refuses a malformed mirror', () => {
    for (const mirror of [
      'ftp://m.example',
      'https://u:p@m.example',
      'https://m.example/?x=1',
      'http://',
    ]) {
      expect(() => endpointsFor({ r: { mirrors: [mirror] } }, 'r', true), mirror).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });
});
