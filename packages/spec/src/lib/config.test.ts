import { isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { configPlatform, parseImageConfig } from './config.ts';

const DIFF = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [DIFF] },
    ...extra,
  };
}

function parse(document: unknown, maxSize?: number) {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  return parseImageConfig(new TextEncoder().encode(text), { maxSize });
}

describe('parseImageConfig', () => {
  it('accepts what the spec and Docker write', () => {
    const cases: [label: string, input: Record<string, unknown>][] = [
      ['minimal', config()],
      ['no layers', config({ rootfs: { type: 'layers', diff_ids: [] } })],
      [
        'Docker extras kept',
        config({ container_config: { Hostname: 'x' }, docker_version: '1.12.1' }),
      ],
      [
        'nullable members',
        config({ config: { Entrypoint: null, Cmd: null, Volumes: null, Labels: null } }),
      ],
      ['env value spanning lines', config({ config: { Env: ['A=line one\nline two', 'EMPTY='] } })],
      ['env value with =', config({ config: { Env: ['OPTS=a=b'] } })],
      [
        'dates',
        config({
          created: '2024-02-29T23:59:59.123456789+05:30',
          history: [{ created: '1970-01-01t00:00:00z' }],
        }),
      ],
      [
        'history members',
        config({ history: [{ author: 'a', created_by: 'b', comment: 'c', empty_layer: true }] }),
      ],
      [
        'ports and volumes',
        config({
          config: { ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} }, ArgsEscaped: false },
        }),
      ],
      [
        'platform members',
        config({ variant: 'v8', 'os.version': '10.0.20348', 'os.features': ['win32k'] }),
      ],
    ];
    for (const [label, input] of cases) {
      expect(() => parse(input), label).not.toThrow();
    }
    const parsed = parse(config({ config: { Env: ['A=1'] } }));
    expect(parsed.config?.Env).toEqual(['A=1']);
    expect(Object.isFrozen(parsed.rootfs.diff_ids)).toBe(true);
  });

  it('names the field and the problem', () => {
    const cases: [label: string, input: unknown, message: RegExp][] = [
      ['not JSON', '{', /not valid JSON/],
      ['array', [], /the document must be an object/],
      ['no rootfs', { architecture: 'amd64', os: 'linux' }, /rootfs is required/],
      [
        'no architecture',
        { os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
        /architecture is required/,
      ],
      [
        'rootfs type',
        config({ rootfs: { type: 'layer', diff_ids: [] } }),
        /rootfs.type must be "layers", got "layer"/,
      ],
      [
        'rootfs without diff_ids',
        config({ rootfs: { type: 'layers' } }),
        /rootfs.diff_ids is required/,
      ],
      [
        'diff_id not a digest',
        config({ rootfs: { type: 'layers', diff_ids: ['abc'] } }),
        /rootfs.diff_ids\[0\] must be a digest/,
      ],
      ['Env null', config({ config: { Env: null } }), /config.Env must be an array, got null/],
      [
        'Env without =',
        config({ config: { Env: ['PATH'] } }),
        /config.Env\[0\] must be NAME=value, got "PATH"/,
      ],
      ['Env empty name', config({ config: { Env: ['=x'] } }), /config.Env\[0\] must be NAME=value/],
      [
        'Labels values',
        config({ config: { Labels: { a: 1 } } }),
        /config.Labels.a must be a string/,
      ],
      [
        'ExposedPorts values',
        config({ config: { ExposedPorts: { '80/tcp': true } } }),
        /config.ExposedPorts."80\/tcp" must be an object/,
      ],
      [
        'ExposedPorts null',
        config({ config: { ExposedPorts: null } }),
        /config.ExposedPorts must be an object, got null/,
      ],
      ['Cmd string', config({ config: { Cmd: 'sh' } }), /config.Cmd must be an array/],
      [
        'ArgsEscaped string',
        config({ config: { ArgsEscaped: 'true' } }),
        /config.ArgsEscaped must be a boolean/,
      ],
      ['config null', config({ config: null }), /config must be an object, got null/],
      [
        'created not a date',
        config({ created: 'yesterday' }),
        /created must be an RFC 3339 date-time/,
      ],
      [
        'created without zone',
        config({ created: '2015-10-31T22:22:56' }),
        /created must be an RFC 3339/,
      ],
      ['February 30', config({ created: '2023-02-30T00:00:00Z' }), /created must be an RFC 3339/],
      [
        'February 29 of 1900',
        config({ created: '1900-02-29T00:00:00Z' }),
        /created must be an RFC 3339/,
      ],
      ['leap second', config({ created: '2016-12-31T23:59:60Z' }), /created must be an RFC 3339/],
      ['hour 24', config({ created: '2016-12-31T24:00:00Z' }), /created must be an RFC 3339/],
      ['history entry', config({ history: ['x'] }), /history\[0\] must be an object/],
      [
        'history empty_layer',
        config({ history: [{ empty_layer: 'yes' }] }),
        /history\[0\].empty_layer must be a boolean/,
      ],
      [
        'history created',
        config({ history: [{ created: 0 }] }),
        /history\[0\].created must be a string/,
      ],
    ];
    for (const [label, input, message] of cases) {
      let caught: unknown;
      try {
        parse(input);
      } catch (error) {
        caught = error;
      }
      expect(isOciError(caught, 'MANIFEST_INVALID'), label).toBe(true);
      expect((caught as Error).message, label).toMatch(/^Image config is invalid: /);
      expect((caught as Error).message, label).toMatch(message);
    }
  });

  it('caps the size', () => {
    expect(() => parse(config(), 10)).toThrow(expect.objectContaining({ code: 'SIZE_EXCEEDED' }));
  });

  it('gives the platform the config declares', () => {
    expect(configPlatform(parse(config({ variant: 'v8', architecture: 'arm64' })))).toEqual({
      architecture: 'arm64',
      os: 'linux',
      variant: 'v8',
    });
    expect(configPlatform(parse(config({ 'os.version': '10.0.1', 'os.features': ['x'] })))).toEqual(
      {
        architecture: 'amd64',
        os: 'linux',
        'os.version': '10.0.1',
        'os.features': ['x'],
      },
    );
  });
});
