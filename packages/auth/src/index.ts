export { type AuthorizationOptions, authorizationFor } from './lib/authorize.ts';
export { decodeBasicAuth, encodeBasicAuth } from './lib/basic-auth.ts';
export {
  type Challenge,
  formatChallenge,
  MAX_CHALLENGE_LENGTH,
  parseChallenges,
} from './lib/challenge.ts';
export {
  ChallengeCache,
  type ChallengeCacheOptions,
  challengeEndpoint,
} from './lib/challenge-cache.ts';
export {
  type BasicCredential,
  type Credential,
  type CredentialKind,
  type CredentialLookupOptions,
  type CredentialSource,
  checkCredential,
  credentialKind,
  describeCredential,
  type IdentityTokenCredential,
  type RegistryTokenCredential,
} from './lib/credential.ts';
export {
  DOCKER_AUTH_CONFIG,
  type EnvCredentialsOptions,
  type Environment,
  envCredentials,
  parseDockerAuthConfig,
} from './lib/env-credentials.ts';
export {
  credentialKeyFor,
  DOCKER_HUB_AUTH_KEY,
  findCredentialKey,
  hostFromCredentialKey,
  isDockerHubHost,
  normalizeRegistryHost,
} from './lib/host.ts';
export {
  catalogScope,
  challengeScopes,
  formatScope,
  mergeScopes,
  parseScope,
  repositoryScope,
  type Scope,
  scopesCover,
} from './lib/scope.ts';
export { chainCredentials, staticCredentials } from './lib/sources.ts';
export {
  DEFAULT_MAX_TOKEN_RESPONSE_BYTES,
  type FetchFunction,
  type FetchTokenOptions,
  fetchToken,
  MIN_TOKEN_LIFETIME_SECONDS,
  type Token,
  type TokenClientOptions,
  type TokenRequest,
} from './lib/token.ts';
export {
  TokenCache,
  type TokenCacheGetOptions,
  type TokenCacheOptions,
} from './lib/token-cache.ts';
