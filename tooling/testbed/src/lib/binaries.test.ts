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
});
