import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificate, libtrustKeyId } from './certificate.ts';

describe('createCertificate', () => {
  it('makes a self-signed CA certificate that OpenSSL parses and verifies', () => {
    const certificate = createCertificate({
      commonName: 'test',
      altNames: ['127.0.0.1', 'localhost'],
    });
    const x509 = new X509Certificate(certificate.certPem);
    expect(x509.subject).toBe('CN=test');
    expect(x509.issuer).toBe('CN=test');
    expect(x509.ca).toBe(true);
    expect(x509.verify(certificate.publicKey)).toBe(true);
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.publicKey.export({ type: 'spki', format: 'pem' })).toBe(
      certificate.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    expect(Date.parse(x509.validFrom)).toBeLessThan(Date.now());
    expect(Date.parse(x509.validTo)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
  });
});

describe('createCertificate with an issuer', () => {
  it('makes a leaf certificate for client auth that verifies against the CA, not against itself', () => {
    const ca = createCertificate({ commonName: 'test ca' });
    const leaf = createCertificate({ commonName: 'client', issuer: ca });
    const x509 = new X509Certificate(leaf.certPem);
    expect(x509.subject).toBe('CN=client');
    expect(x509.issuer).toBe('CN=test ca');
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1']);
    expect(x509.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(x509.verify(ca.publicKey)).toBe(true);
    expect(x509.verify(leaf.publicKey)).toBe(false);
  });
});

describe('libtrustKeyId', () => {
  it('is the base32 of the first 240 bits of the SPKI hash, in groups of four', () => {
    const { publicKey } = createCertificate({ commonName: 'kid' });
    const id = libtrustKeyId(publicKey);
    expect(id).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    // Independent check: decode the base32 back to the hash prefix.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const bits = [...id.replaceAll(':', '')]
      .map((char) => alphabet.indexOf(char).toString(2).padStart(5, '0'))
      .join('');
    const bytes = Buffer.from(bits.match(/.{8}/g)?.map((byte) => Number.parseInt(byte, 2)) ?? []);
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    expect(bytes.equals(createHash('sha256').update(spki).digest().subarray(0, 30))).toBe(true);
  });
});
