export {
  type AuthFileCredentialSource,
  type AuthFileOptions,
  type ListCredentialsOptions,
  readDockerConfig,
} from './lib/auth-files.node.ts';
export {
  type AuthPathOptions,
  containersAuthFiles,
  dockerConfigFile,
} from './lib/auth-paths.node.ts';
export {
  type CredentialHelper,
  type CredentialHelperCallOptions,
  type CredentialHelperOptions,
  credentialHelper,
} from './lib/credential-helper.node.ts';
export {
  type DockerAuthEntry,
  type DockerConfig,
  entryCredential,
  parseDockerConfig,
} from './lib/docker-config.ts';
export {
  containersAuthCredentials,
  type DefaultCredentialsOptions,
  type DockerCredentialsOptions,
  defaultCredentials,
  dockerConfigCredentials,
} from './lib/docker-sources.node.ts';
export { type LoginOptions, type LoginResult, login, logout } from './lib/login.node.ts';
