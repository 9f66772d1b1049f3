export { familiarMatch, familiarName, familiarString } from './lib/familiar.ts';
export { parseRegistryHost } from './lib/host.ts';
export type {
  DockerArchiveLocation,
  LayoutLocation,
  Location,
  LocationKind,
  ParseLocationOptions,
  RegistryLocation,
} from './lib/location.ts';
export {
  formatLocation,
  isRefName,
  locationKind,
  parseLocation,
  sameRegistry,
  sameRepository,
} from './lib/location.ts';
export type { ParseNormalizedOptions } from './lib/normalize.ts';
export {
  DEFAULT_REGISTRY,
  parseAnyReference,
  parseDockerRef,
  parseNormalized,
} from './lib/normalize.ts';
export type { DigestReference, Reference } from './lib/reference.ts';
export {
  DEFAULT_TAG,
  isRepositoryPath,
  isTag,
  parse,
  parseName,
  REPOSITORY_MAX_LENGTH,
} from './lib/reference.ts';
