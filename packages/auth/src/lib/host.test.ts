import { describe, expect, it } from 'vitest';
import {
  credentialKeyFor,
  DOCKER_HUB_AUTH_KEY,
  findCredentialKey,
  hostFromCredentialKey,
  isDockerHubHost,
  normalizeRegistryHost,
} from './host.ts';

describe('hostFromCredentialKey', () => {
  // docker/cli's TestConvertToHostname table runs in docker-cli-vectors.node.test.ts.
  it('strips user info and queries, keeps case', () => {
    expect(hostFromCredentialKey('https://user:pw@Example.com:5000/v1/?x=1')).toBe(
      'Example.com:5000',
    );
    expect(hostFromCredentialKey('https://[::1]/v2/')).toBe('::1');
    expect(normalizeRegistryHost(' HTTPS://Example.COM/v2/ ')).toBe('example.com');
  });
});

describe('Docker Hub names', () => {
  it('map docker.io, index.docker.io and registry-1.docker.io to the Hub key', () => {
    const cases: [label: string, host: string, hub: boolean, key: string][] = [
      ['docker.io', 'docker.io', true, DOCKER_HUB_AUTH_KEY],
      ['index', 'index.docker.io', true, DOCKER_HUB_AUTH_KEY],
      ['API endpoint', 'registry-1.docker.io', true, DOCKER_HUB_AUTH_KEY],
      ['the key itself', DOCKER_HUB_AUTH_KEY, true, DOCKER_HUB_AUTH_KEY],
      ['upper case', 'Docker.IO', true, DOCKER_HUB_AUTH_KEY],
      [
        'hub website is another registry',
        'registry.hub.docker.com',
        false,
        'registry.hub.docker.com',
      ],
      ['other', 'GHCR.io', false, 'ghcr.io'],
      ['URL', 'https://localhost:5000/v2/', false, 'localhost:5000'],
    ];
    for (const [label, host, hub, key] of cases) {
      expect(isDockerHubHost(host), label).toBe(hub);
      expect(credentialKeyFor(host), label).toBe(key);
    }
  });
});

describe('findCredentialKey', () => {
  it('picks the most specific key', () => {
    const keys = [
      DOCKER_HUB_AUTH_KEY,
      'docker.io/library',
      'quay.io',
      'quay.io/team',
      'quay.io/team/app',
      'https://legacy.example.com/v1/',
      'Mixed.Example.com',
      'namespaced.example.com/only',
      'localhost:5000',
    ];
    const cases: [
      label: string,
      host: string,
      repository: string | undefined,
      key: string | undefined,
    ][] = [
      ['host key', 'quay.io', undefined, 'quay.io'],
      ['repository key', 'quay.io', 'team/app', 'quay.io/team/app'],
      ['namespace key', 'quay.io', 'team/other', 'quay.io/team'],
      ['host when no namespace matches', 'quay.io', 'else/app', 'quay.io'],
      ['namespace is whole segments', 'quay.io', 'teamx/app', 'quay.io'],
      ['Hub by API endpoint', 'registry-1.docker.io', undefined, DOCKER_HUB_AUTH_KEY],
      [
        'Hub namespace under docker.io',
        'registry-1.docker.io',
        'library/ubuntu',
        'docker.io/library',
      ],
      ['Hub by docker.io', 'docker.io', 'other/app', DOCKER_HUB_AUTH_KEY],
      ['legacy URL key', 'legacy.example.com', undefined, 'https://legacy.example.com/v1/'],
      ['host case-insensitive', 'mixed.example.COM', undefined, 'Mixed.Example.com'],
      [
        'namespaced key does not answer for the host',
        'namespaced.example.com',
        undefined,
        undefined,
      ],
      [
        'namespaced key answers inside',
        'namespaced.example.com',
        'only/app',
        'namespaced.example.com/only',
      ],
      ['port is part of the host', 'localhost', undefined, undefined],
      ['port', 'localhost:5000', 'x', 'localhost:5000'],
      ['unknown', 'other.example', undefined, undefined],
    ];
    for (const [label, host, repository, key] of cases) {
      expect(findCredentialKey(keys, host, { repository }), label).toBe(key);
    }
  });

  it('prefers an exact key to the Hub key, and the Hub key to other Hub names', () => {
    expect(
      findCredentialKey(['registry-1.docker.io', DOCKER_HUB_AUTH_KEY], 'registry-1.docker.io'),
    ).toBe('registry-1.docker.io');
    expect(findCredentialKey(['docker.io', DOCKER_HUB_AUTH_KEY], 'registry-1.docker.io')).toBe(
      DOCKER_HUB_AUTH_KEY,
    );
    expect(findCredentialKey(['docker.io'], 'registry-1.docker.io')).toBe('docker.io');
    expect(findCredentialKey(['https://index.docker.io/v2/'], 'docker.io')).toBe(
      'https://index.docker.io/v2/',
    );
    expect(findCredentialKey(['registry-1.docker.io'], 'ghcr.io')).toBeUndefined();
  });
});
