import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isIPv4 } from 'node:net';
import {
  bitString,
  booleanTrue,
  explicit,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  time,
  tlv,
  utf8String,
} from './der.ts';

/** Options of {@link createCertificate}. */
export interface CertificateOptions {
  /** The subject (and issuer) common name. */
  commonName: string;
  /**
   * Host names and IPv4 addresses for the subject alternative name, for a TLS
   * server certificate.
   * @default []
   */
  altNames?: readonly string[];
  /**
   * How long the certificate is valid, from one hour ago.
   * @default 7 days
   */
  validDays?: number;
  /**
   * The CA that signs it, making it a leaf certificate (not a CA, key usage
   * `digitalSignature`, extended key usage `clientAuth` and `serverAuth`),
   * such as a TLS client certificate.
   * @default self-signed, a CA
   */
  issuer?: Pick<Certificate, 'commonName' | 'privateKey'>;
}

/** A P-256 key pair and its certificate. */
export interface Certificate {
  /** The subject common name. */
  commonName: string;
  /** The private key, for signing tokens or serving TLS. */
  privateKey: KeyObject;
  /** The public key. */
  publicKey: KeyObject;
  /** The private key as PKCS#8 PEM (what `node:tls` takes). */
  keyPem: string;
  /** The certificate as PEM. */
  certPem: string;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const SUBJECT_ALT_NAME = '2.5.29.17';
const EXTENDED_KEY_USAGE = '2.5.29.37';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function altName(name: string): Uint8Array {
  if (isIPv4(name)) return tlv(0x87, Uint8Array.from(name.split('.').map(Number)));
  return tlv(0x82, new TextEncoder().encode(name));
}

/** The X.501 name `CN=<commonName>`. */
function nameOf(commonName: string): Uint8Array {
  return sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(commonName))));
}

/** Basic constraints and key usage: a CA that signs certificates and data, or a leaf. */
function usageExtensions(ca: boolean): Uint8Array[] {
  if (ca) {
    return [
      sequence(
        objectIdentifier(BASIC_CONSTRAINTS),
        booleanTrue(),
        octetString(sequence(booleanTrue())),
      ),
      // digitalSignature (bit 0) and keyCertSign (bit 5): 0b10000100, 2 unused bits.
      sequence(
        objectIdentifier(KEY_USAGE),
        booleanTrue(),
        octetString(bitString(Uint8Array.of(0x84), 2)),
      ),
    ];
  }
  return [
    sequence(objectIdentifier(BASIC_CONSTRAINTS), booleanTrue(), octetString(sequence())),
    // digitalSignature (bit 0) only: 0b10000000, 7 unused bits.
    sequence(
      objectIdentifier(KEY_USAGE),
      booleanTrue(),
      octetString(bitString(Uint8Array.of(0x80), 7)),
    ),
    sequence(
      objectIdentifier(EXTENDED_KEY_USAGE),
      octetString(sequence(objectIdentifier(CLIENT_AUTH), objectIdentifier(SERVER_AUTH))),
    ),
  ];
}

/**
 * Makes a P-256 key and an X.509 v3 certificate for it, built here in DER and
 * signed with `node:crypto`, so the test bed needs no `openssl` binary.
 * Without `issuer` the certificate is self-signed and a CA (basic
 * constraints) allowed to sign certificates and data, so it serves both as the
 * token issuer's `rootcertbundle` and as a TLS server certificate with its own
 * trust anchor. With `issuer` it is a leaf signed by that CA, such as a TLS
 * client certificate.
 *
 * @param options - {@link CertificateOptions}
 * @returns the key pair and the certificate
 */
export function createCertificate(options: CertificateOptions): Certificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = options.issuer ?? { commonName: options.commonName, privateKey };
  const algorithm = sequence(objectIdentifier(ECDSA_WITH_SHA256));
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 7) * 86_400_000);
  const extensions = usageExtensions(options.issuer === undefined);
  const altNames = options.altNames ?? [];
  if (altNames.length > 0) {
    extensions.push(
      sequence(objectIdentifier(SUBJECT_ALT_NAME), octetString(sequence(...altNames.map(altName)))),
    );
  }
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, integer(Uint8Array.of(2))),
    integer(serial),
    algorithm,
    nameOf(issuer.commonName),
    sequence(time(notBefore), time(notAfter)),
    nameOf(options.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer.privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  return {
    commonName: options.commonName,
    privateKey,
    publicKey,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem: toPem('CERTIFICATE', der),
  };
}

function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The libtrust key id of a public key, which distribution 2.8 computes for
 * every certificate in `rootcertbundle` and matches against a token's `kid`:
 * SHA-256 of the DER SubjectPublicKeyInfo, its first 240 bits in base32,
 * upper case, in 12 groups of 4 joined by `:`.
 *
 * @param publicKey - the public key
 * @returns the key id, such as `ABCD:EFGH:…` (59 characters)
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(spki).digest().subarray(0, 30);
  let bits = 0;
  let value = 0;
  let encoded = '';
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      encoded += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return (encoded.match(/.{4}/g) ?? []).join(':');
}
