import { afterEach, describe, expect, it } from 'vitest';
import { requireBinary, runBinary } from './binaries.ts';

describe('requireBinary', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('names the Debian package and the install command when a program is missing', () => {
    process.env.PATH = '/nonexistent';
    expect(() => requireBinary('htpasswd')).toThrow(
      /"htpasswd" \(Debian package apache2-utils\).*setup-system\.sh.*apt-get install -y --no-install-recommends apache2-utils/,
    );
  });
});

describe('runBinary', () => {
  it('reports a failure with stderr and hides secrets', async () => {
    const failure = runBinary('htpasswd', ['-Bbn', 'user-only-no-password-s3cret'], {
      secrets: ['s3cret'],
    });
    await expect(failure).rejects.toThrow(
      /Command failed: htpasswd -Bbn user-only-no-password-\*\*\*/,
    );
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it('keeps secrets out of the whole error, its cause included (what vitest prints)', async () => {
    const error = (await runBinary('htpasswd', ['-Bbn', 'user-only-no-password-s3cret'], {
      secrets: ['s3cret'],
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as Error;
    const cause = error.cause as Record<string, unknown> | undefined;
    const printed = `${error.message} ${JSON.stringify(cause)} ${String(cause?.message ?? '')}`;
    expect(printed).not.toContain('s3cret');
    expect(cause?.code, 'the exit code').toEqual(expect.any(Number));
    expect(cause?.code).not.toBe(0);
  });
});
