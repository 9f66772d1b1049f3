import { OciError } from '@ocikit/digest';
import { TransferError } from '@ocikit/transfer';
import { describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.ts';
import { describeFailure } from './failure.ts';

describe('describeFailure', () => {
  it('gives each error code its documented exit code and one line with the advice', () => {
    const args = ['docker://ghcr.io/org/app:v1', 'oci:out:v1'];
    const cases: [string, OciError, number, RegExp][] = [
      [
        'unauthorized names the registry to log in to',
        new OciError('UNAUTHORIZED', 'Cannot read manifest v1', { status: 401 }),
        EXIT.auth,
        /^UNAUTHORIZED: Cannot read manifest v1 \(HTTP 401\) — run "ocikit login ghcr\.io"/,
      ],
      [
        'denied',
        new OciError('DENIED', 'No', { status: 403 }),
        EXIT.auth,
        /^DENIED: .*ocikit login ghcr\.io/,
      ],
      ['manifest unknown', new OciError('MANIFEST_UNKNOWN', 'No v9'), EXIT.notFound, /tag ls/],
      ['name unknown', new OciError('NAME_UNKNOWN', 'No repo'), EXIT.notFound, /^NAME_UNKNOWN: /],
      ['blob unknown', new OciError('BLOB_UNKNOWN', 'No blob'), EXIT.notFound, /check the digest/],
      [
        'platform not found',
        new OciError('PLATFORM_NOT_FOUND', 'No s390x'),
        EXIT.notFound,
        /inspect/,
      ],
      [
        'bad reference',
        new OciError('REFERENCE_INVALID', 'Bad\nlines'),
        EXIT.usage,
        /^REFERENCE_INVALID: Bad lines — see "ocikit copy --help"$/,
      ],
      ['bad option', new OciError('OPTION_INVALID', 'Bad'), EXIT.usage, /copy --help/],
      [
        'network',
        new OciError('NETWORK_ERROR', 'Refused'),
        EXIT.failure,
        /--plain-http ghcr\.io, one with a private CA --ca-file FILE or --insecure ghcr\.io/,
      ],
      ['digest mismatch', new OciError('DIGEST_MISMATCH', 'Bad bytes'), EXIT.failure, /--debug/],
    ];
    for (const [label, error, exitCode, line] of cases) {
      const failure = describeFailure(error, { command: 'copy', args });
      expect(failure.exitCode, label).toBe(exitCode);
      expect(failure.line, label).toMatch(line);
      expect(failure.line, label).not.toContain('\n');
    }
  });

  it('gives the HTTP status once when the message already has it', () => {
    const error = new OciError('UNAUTHORIZED', 'HEAD … was refused: HTTP 401 Unauthorized', {
      status: 401,
    });
    const failure = describeFailure(error, { command: 'digest', args: ['ghcr.io/org/app:v1'] });
    expect(failure.line.match(/HTTP 401/g)).toHaveLength(1);
  });

  it('names the registry of the side a copy failed on', () => {
    const args = ['docker://source.example/app:v1', 'docker://dest.example:5000/app:v1'];
    const cause = new OciError('UNAUTHORIZED', 'No token', { status: 401 });
    const source = describeFailure(new TransferError('source', cause, 'fetch'), {
      command: 'copy',
      args,
    });
    const destination = describeFailure(new TransferError('destination', cause, 'push'), {
      command: 'copy',
      args,
    });
    expect(source.line).toContain('ocikit login source.example"');
    expect(destination.line).toContain('ocikit login dest.example:5000"');
  });

  it('calls anything but an OciError a bug, exit 1', () => {
    const failure = describeFailure(new TypeError('x is undefined'), {
      command: 'inspect',
      args: [],
    });
    expect(failure.exitCode).toBe(EXIT.failure);
    expect(failure.line).toMatch(/^INTERNAL: x is undefined — this is a bug/);
  });
});
