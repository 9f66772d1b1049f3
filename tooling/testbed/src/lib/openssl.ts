import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBinary } from './binaries.ts';

/** A self-signed certificate and its key, as files made by `openssl`. */
export interface OpensslCertificate {
  /** The certificate (PEM), `ca.crt`: trust it as a CA. */
  certFile: string;
  /** Its private key (PEM, unencrypted), `server.pem` (not a name skopeo's cert dir reads). */
  keyFile: string;
  /** The certificate's PEM text. */
  certPem: string;
  /** The key's PEM text. */
  keyPem: string;
}

/**
 * Makes a self-signed P-256 certificate for `127.0.0.1` with `openssl req
 * -x509`, valid for a day, in a directory of the caller's: an oracle for a
 * real server certificate, independent of the test bed's own certificate
 * code. The directory then works as skopeo's `--cert-dir`.
 *
 * @param dir - an existing directory for `ca.crt` and `server.pem`
 * @returns the files and their PEM text
 * @throws {Error} when `openssl` is missing (naming its Debian package) or fails
 */
export async function opensslCertificate(dir: string): Promise<OpensslCertificate> {
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'server.pem');
  await runBinary('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  const [certPem, keyPem] = await Promise.all([
    readFile(certFile, 'utf8'),
    readFile(keyFile, 'utf8'),
  ]);
  return { certFile, keyFile, certPem, keyPem };
}
