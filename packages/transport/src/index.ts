export type { RequestBody } from './lib/body.ts';
export {
  type Endpoint,
  endpointsFor,
  type HostOptions,
  type HostsConfig,
  hostOptions,
  isLoopbackHost,
} from './lib/hosts.ts';
export {
  parseRateLimit,
  type RateLimit,
  RegistryPacer,
  type RegistryPacerOptions,
  type SpentRateLimit,
} from './lib/pacer.ts';
export { redactHeaders, redactUrl } from './lib/redact.ts';
export {
  errorFromResponse,
  MAX_ERROR_BODY_BYTES,
  type RegistryErrorEntry,
} from './lib/response-error.ts';
export { parseRetryAfter, type RetryOptions } from './lib/retry.ts';
export { redactEchoedSecrets } from './lib/secrets.ts';
export type { TraceEvent } from './lib/trace.ts';
export { Transport, type TransportOptions, type TransportRequest } from './lib/transport.ts';
