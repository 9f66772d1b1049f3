export { abortError, delay } from './lib/abort.ts';
export { concatBytes, type ReadBytesOptions, readBytes, streamFromBytes } from './lib/bytes.ts';
export {
  CANONICAL_ALGORITHM,
  type Digest,
  type DigestAlgorithm,
  formatDigest,
  isDigest,
  isSupportedAlgorithm,
  type ParseDigestOptions,
  type ParsedDigest,
  parseDigest,
  supportedAlgorithms,
} from './lib/digest.ts';
export {
  type ClientErrorCode,
  isOciError,
  OciError,
  type OciErrorCode,
  type OciErrorOptions,
  type RegistryErrorCode,
} from './lib/errors.ts';
export { assertSupportedAlgorithm, createHasher, digestBytes, type Hasher } from './lib/hasher.ts';
export { streamFromVerifiedBytes } from './lib/verified-bytes.ts';
export {
  consumeStream,
  createVerifyStream,
  type DigestResult,
  type DigestStreamOptions,
  digestStream,
  type ExpectedContent,
  HashingStream,
  type VerifyStreamOptions,
} from './lib/verify.ts';
export { type RelayHooks, relayStream, verifyContent } from './lib/verify-content.ts';
