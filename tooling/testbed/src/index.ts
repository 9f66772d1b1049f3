export { DEBIAN_PACKAGES, type RunOptions, type RunResult, requireBinary } from './lib/binaries.ts';
export { type Certificate, type CertificateOptions, createCertificate } from './lib/certificate.ts';
export {
  type CtrOptions,
  ctr,
  type RunningContainerd,
  type StartContainerdOptions,
  startContainerd,
} from './lib/containerd.ts';
export { writeDockerArchive } from './lib/docker-archive.ts';
export { writeDockerConfig } from './lib/docker-config.ts';
export { collect, errorCode, ociFailure } from './lib/failure.ts';
export { type FaultClient, type FaultHandle, faultClient } from './lib/fault-client.ts';
export {
  type FaultProxyOptions,
  type RunningFaultProxy,
  startFaultProxy,
} from './lib/fault-proxy.ts';
export type { Fault, FaultRule, FaultRuleState, ProxiedRequest } from './lib/fault-rules.ts';
export {
  type ProxyRecord,
  type RunningForwardProxy,
  startForwardProxy,
} from './lib/forward-proxy.ts';
export { writeHtpasswd } from './lib/htpasswd.ts';
export {
  blobFromBytes,
  blobFromJson,
  type Descriptor,
  descriptorOf,
  type Platform,
  type TestBlob,
  type TestLayer,
  type TestManifest,
} from './lib/images/blob.ts';
export { collectContent, type NodeContent } from './lib/images/graph.ts';
export {
  type ArtifactBlob,
  type ImageFormat,
  type MakeArtifactOptions,
  type MakeImageOptions,
  makeArtifact,
  makeImage,
  type TestImage,
  type TestIndex,
  type TestNode,
} from './lib/images/image.ts';
export {
  type MakeIndexOptions,
  type MakeMultiPlatformOptions,
  makeIndex,
  makeMultiPlatformImage,
} from './lib/images/image-index.ts';
export { MANIFEST_MEDIA_TYPES, MediaType } from './lib/images/media-types.ts';
export { formatPlatform, parsePlatform } from './lib/images/platform.ts';
export { type RandomOptions, randomBlob, randomLayer } from './lib/images/random.ts';
export { type LayerEntry, type TarLayerOptions, tarLayer } from './lib/images/tar-layer.ts';
export type {
  BasicRegistryInfo,
  ContainerdInfo,
  FaultsInfo,
  MtlsInfo,
  OcikitPeersInfo,
  OcikitServerInfo,
  RedirectInfo,
  RegistryInfo,
  TestbedInfo,
  TokenRegistryInfo,
} from './lib/info.ts';
export { getOcikitPeers, getTestbed } from './lib/info.ts';
export { type RunJsonScriptOptions, runJsonScript } from './lib/json-script.ts';
export { type LayoutEntry, writeOciLayout } from './lib/layout.ts';
export {
  type MtlsFrontOptions,
  type RunningMtlsFront,
  startMtlsFront,
} from './lib/mtls-front.ts';
export { type OpensslCertificate, opensslCertificate } from './lib/openssl.ts';
export { type FetchedManifest, fetchBlob, fetchManifest } from './lib/pull.ts';
export { type PushImageOptions, pushImage } from './lib/push.ts';
export {
  pushTaggedImages,
  SPENT_RATE_LIMIT_HEADERS,
  spendRateLimitAt,
} from './lib/rate-limit.ts';
export {
  type RecordedRequest,
  type RedirectOrigin,
  type RedirectRequestsFilter,
  type RedirectServerOptions,
  type RunningRedirectServer,
  redirectRequests,
  startRedirectServer,
} from './lib/redirect-server.ts';
export {
  type RegistryAuth,
  type RunningRegistry,
  type StartRegistryOptions,
  startRegistry,
} from './lib/registry.ts';
export { authHeaders, type RegistryEndpoint } from './lib/registry-auth.ts';
export {
  type SkopeoCopyOptions,
  type SkopeoInspectOptions,
  skopeo,
  skopeoCopy,
  skopeoInspect,
} from './lib/skopeo.ts';
export { type StartTestbedOptions, startTestbed, type Testbed } from './lib/start.ts';
export { tempDirs } from './lib/temp-dirs.ts';
export {
  REGISTRY_LEEWAY_SECONDS,
  type RunningTokenIssuer,
  startTokenIssuer,
  type TokenIssuerOptions,
  type TokenUser,
} from './lib/token-issuer.ts';
export type { Grant } from './lib/token-policy.ts';
export {
  resetTokenStats,
  type TokenGrantKind,
  type TokenRequestRecord,
  type TokenStats,
  type TokenStatsFilter,
  tokenStats,
} from './lib/token-stats.ts';
export type { Credentials } from './lib/types.ts';
export { umoci } from './lib/umoci.ts';
export { uniqueRepo } from './lib/unique.ts';
