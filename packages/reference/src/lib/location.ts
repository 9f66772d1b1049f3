import { type Digest, OciError } from '@ocikit/digest';
import { quote, referenceInvalid } from './errors.ts';
import { hostProblem } from './host.ts';
import { DEFAULT_REGISTRY, parseNormalized } from './normalize.ts';
import { checkedDigest, DEFAULT_TAG, type Reference, TAG_RULE } from './reference.ts';
import { ANCHORED_TAG_RE } from './regexp.ts';

/** Where content lives: a registry repository, an OCI layout directory or tar, or a Docker archive. */
export type LocationKind = 'registry' | 'ocidir' | 'oci-archive' | 'docker-archive';

/** A repository (and tag or digest) in a registry. */
export interface RegistryLocation {
  readonly kind: 'registry';
  /** The normalized reference (`docker.io/library/alpine:latest` for `alpine`). */
  readonly reference: Reference;
}

/** An OCI image layout: a directory (`ocidir`) or a tar archive of one (`oci-archive`). */
export interface LayoutLocation {
  readonly kind: 'ocidir' | 'oci-archive';
  /** The directory or archive, as written (relative or absolute, not resolved). */
  readonly path: string;
  /**
   * The image's `org.opencontainers.image.ref.name`: a tag for `ocidir://` and
   * `ocifile://`, a ref name (which may hold `/`, `:` and `@`) for `oci:` and
   * `oci-archive:`. Absent means the only image, or an untagged one.
   */
  readonly tag?: string;
  /** The manifest digest (`ocidir://` and `ocifile://` only). */
  readonly digest?: Digest;
}

/** A Docker archive (`docker save`, skopeo `docker-archive:`): a tar of images named by references. */
export interface DockerArchiveLocation {
  readonly kind: 'docker-archive';
  /** The archive file, as written (relative or absolute, not resolved). */
  readonly path: string;
  /**
   * The image's name in the archive (its `RepoTags`), normalized, with a tag
   * (`latest` when none was written). Absent means the only image.
   */
  readonly reference?: Reference;
}

/** A parsed location string, see {@link parseLocation}. */
export type Location = RegistryLocation | LayoutLocation | DockerArchiveLocation;

/** Options of {@link parseLocation}. */
export interface ParseLocationOptions {
  /**
   * The tag a registry reference gets when it has neither tag nor digest, as
   * regclient and skopeo do; `false` keeps it name-only (for commands that
   * address a repository, such as listing its tags). Layouts get no default.
   * @default 'latest'
   */
  defaultTag?: string | false;
}

/** A prefix: `registry` reads a reference; `url` reads `path[:tag][@digest]`; `transport` reads `path[:ref-name]`. */
type Form =
  | { prefix: string; syntax: 'registry' }
  | { prefix: string; syntax: 'docker-archive' }
  | { prefix: string; syntax: 'url' | 'transport'; kind: LayoutLocation['kind'] };

const FORMS: readonly Form[] = [
  { prefix: 'docker://', syntax: 'registry' },
  { prefix: 'ocidir://', syntax: 'url', kind: 'ocidir' },
  { prefix: 'ocifile://', syntax: 'url', kind: 'oci-archive' },
  { prefix: 'oci:', syntax: 'transport', kind: 'ocidir' },
  { prefix: 'oci-archive:', syntax: 'transport', kind: 'oci-archive' },
  { prefix: 'docker-archive:', syntax: 'docker-archive' },
];

const PLAIN: Form = { prefix: '', syntax: 'registry' };

/** skopeo transports that would otherwise read as Docker Hub references (`dir:x` → `docker.io/library/dir:x`). */
const FOREIGN_TRANSPORTS = new Set([
  'containers-storage',
  'dir',
  'docker-daemon',
  'sif',
  'tarball',
]);

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const DRIVE_RE = /^[A-Za-z]:[\\/]/;
const CONTROL_RE = /\p{Cc}/u;
// org.opencontainers.image.ref.name, as skopeo validates the image part of `oci:`.
const REF_NAME_COMPONENT = '[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*';
const REF_NAME_RE = new RegExp(`^${REF_NAME_COMPONENT}(?:/${REF_NAME_COMPONENT})*$`);
/** A ref name is bounded only so that hostile input cannot make matching expensive. */
const MAX_REF_NAME_LENGTH = 4096;
/**
 * Tells whether a string is an image-spec `org.opencontainers.image.ref.name`
 * (components of letters and digits joined by `-`, `.`, `_`, `:`, `@`, `+`
 * or `--`, separated by `/`): what an OCI layout tags an image with, as
 * skopeo validates the image part of `oci:DIR:REF`.
 *
 * @param value - the candidate
 * @returns whether it is a ref name
 * @see https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys
 */
export function isRefName(value: string): boolean {
  return value.length <= MAX_REF_NAME_LENGTH && REF_NAME_RE.test(value);
}

const REF_NAME_RULE =
  'a ref name is letters and digits separated by "-", ".", "_", ":", "@", "+", "--" or "/"';
/** The API host of Docker Hub, which regclient (and ocikit's locations) read as docker.io. */
const HUB_API_HOST = 'registry-1.docker.io';
const SUBJECT = 'Cannot parse location';

/**
 * Tells which kind of location a string names, from its prefix alone
 * (see {@link parseLocation} for the syntax; this does not validate the rest).
 *
 * @param input - a location string
 * @returns `ocidir` for `ocidir://` and `oci:`, `oci-archive` for `ocifile://`
 *   and `oci-archive:`, `docker-archive` for `docker-archive:`, `registry`
 *   for `docker://` and anything else
 * @throws {OciError} `REFERENCE_INVALID` for another `scheme://` or a skopeo
 *   transport ocikit does not support (`dir:`, `docker-daemon:`, …)
 */
export function locationKind(input: string): LocationKind {
  const form = formOf(input);
  if (form.syntax === 'registry' || form.syntax === 'docker-archive') return form.syntax;
  return form.kind;
}

/**
 * Parses a location as the ocikit CLI takes it, accepting the spellings of
 * regclient and skopeo:
 *
 * - `ocidir://PATH[:TAG][@DIGEST]` — an OCI layout directory (regclient);
 * - `ocifile://FILE[:TAG][@DIGEST]` — an OCI layout tar (regclient's spelling);
 * - `oci:PATH[:REF]` and `oci-archive:FILE[:REF]` — skopeo: the path ends at
 *   the first `:` (so it holds none), the rest is an
 *   `org.opencontainers.image.ref.name`, which may itself contain `:`
 *   (`oci:out:example.com/app:v1`);
 * - `docker-archive:FILE[:REF]` — skopeo: a Docker archive, and the name
 *   (`RepoTags`) of one of its images, normalized, `latest` when it has no
 *   tag (a digest is refused, as skopeo does);
 * - `docker://REF` or a bare `REF` — a registry reference, normalized as
 *   {@link parseNormalized} does, `registry-1.docker.io` read as `docker.io`,
 *   and given `options.defaultTag` (`latest`) when it has no tag or digest.
 *
 * In the `ocidir://` and `ocifile://` forms the path holds no `:` or `@`; a
 * Windows drive (`C:\` or `C:/`) at the start of any path is kept. Paths hold
 * no control characters. A bare `localhost[:port]` is an error (a registry
 * without repository), as in regclient.
 *
 * @param input - the location string
 * @param options - {@link ParseLocationOptions}
 * @returns the location, frozen
 * @throws {OciError} `REFERENCE_INVALID` for a malformed location, an unknown
 *   scheme, an unusable registry host (bad IPv6 literal, port outside
 *   1–65535), or skopeo's `oci:PATH:@INDEX` form (not supported);
 *   `OPTION_INVALID` for a `defaultTag` that is not a tag
 */
export function parseLocation(input: string, options: ParseLocationOptions = {}): Location {
  const defaultTag = options.defaultTag ?? DEFAULT_TAG;
  if (defaultTag !== false && !ANCHORED_TAG_RE.test(defaultTag)) {
    throw new OciError(
      'OPTION_INVALID',
      `Option defaultTag ${quote(defaultTag)} is not a tag: ${TAG_RULE}`,
    );
  }
  const form = formOf(input);
  const rest = input.slice(form.prefix.length);
  if (form.syntax === 'registry') return registryLocation(input, rest, defaultTag);
  if (form.syntax === 'docker-archive') return dockerArchive(input, rest);
  if (form.syntax === 'url') return urlLayout(input, form.kind, rest);
  return transportLayout(input, form.kind, rest);
}

/**
 * Writes a location back as a string that {@link parseLocation} reads as the
 * same location: a registry reference as its canonical string, a layout as
 * `ocidir://`/`ocifile://` when its path and tag allow, else as
 * `oci:`/`oci-archive:`.
 *
 * @param location - the location
 * @returns the location string
 * @throws {OciError} `REFERENCE_INVALID` when no spelling can hold the
 *   location (such as a digest together with a path containing `@`)
 */
export function formatLocation(location: Location): string {
  if (location.kind === 'registry') return location.reference.toString();
  if (location.kind === 'docker-archive') {
    const { path, reference } = location;
    const text = `docker-archive:${path}${reference === undefined ? '' : `:${reference}`}`;
    const parsed = parsedOrUndefined(text);
    if (
      parsed?.kind !== 'docker-archive' ||
      parsed.path !== path ||
      parsed.reference?.toString() !== reference?.toString()
    ) {
      throw referenceInvalid('Cannot format location', text, 'no location syntax holds this path');
    }
    return text;
  }
  const { path, tag, digest } = location;
  const archive = location.kind === 'oci-archive';
  const text =
    !path.includes('@') && (tag === undefined || ANCHORED_TAG_RE.test(tag))
      ? `${archive ? 'ocifile://' : 'ocidir://'}${path}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`
      : `${archive ? 'oci-archive:' : 'oci:'}${path}${tag === undefined ? '' : `:${tag}`}`;
  const parsed = parsedOrUndefined(text);
  if (
    parsed?.kind !== location.kind ||
    parsed.path !== path ||
    parsed.tag !== tag ||
    parsed.digest !== digest
  ) {
    throw referenceInvalid(
      'Cannot format location',
      text,
      'no location syntax holds this path, tag and digest together',
    );
  }
  return text;
}

function parsedOrUndefined(text: string): Location | undefined {
  try {
    return parseLocation(text);
  } catch {
    return undefined;
  }
}

/**
 * Tells whether two locations are on the same registry (same host and port),
 * or are the same layout (same kind and path, as written).
 *
 * @param a - a location
 * @param b - another location
 * @returns whether they share a registry or layout
 */
export function sameRegistry(a: Location, b: Location): boolean {
  if (a.kind === 'registry' && b.kind === 'registry') {
    return a.reference.registry === b.reference.registry;
  }
  return sameLayout(a, b);
}

/**
 * Tells whether two locations name the same repository (same registry and
 * repository, any tag or digest), or are the same layout.
 *
 * @param a - a location
 * @param b - another location
 * @returns whether they share a repository or layout
 */
export function sameRepository(a: Location, b: Location): boolean {
  if (a.kind === 'registry' && b.kind === 'registry') return a.reference.name === b.reference.name;
  return sameLayout(a, b);
}

function sameLayout(a: Location, b: Location): boolean {
  return a.kind !== 'registry' && b.kind === a.kind && a.path === b.path;
}

function formOf(input: string): Form {
  const form = FORMS.find((candidate) => input.startsWith(candidate.prefix));
  if (form !== undefined) return form;
  const scheme = SCHEME_RE.exec(input)?.[1];
  if (scheme !== undefined) {
    throw referenceInvalid(
      SUBJECT,
      input,
      `unsupported scheme "${scheme}://"; use docker://, ocidir://, ocifile://, oci:, oci-archive: or docker-archive:`,
    );
  }
  const transport = input.slice(0, Math.max(input.indexOf(':'), 0));
  if (FOREIGN_TRANSPORTS.has(transport)) {
    throw referenceInvalid(SUBJECT, input, `the skopeo transport "${transport}:" is not supported`);
  }
  return PLAIN;
}

function registryLocation(input: string, text: string, defaultTag: string | false): Location {
  if (!text.includes('/') && /^localhost(?:[:@]|$)/.test(text)) {
    throw referenceInvalid(
      SUBJECT,
      input,
      'localhost names a registry, not a repository; write localhost[:port]/REPOSITORY',
    );
  }
  const hub = text.startsWith(`${HUB_API_HOST}/`);
  let reference = parseNormalized(
    hub ? `${DEFAULT_REGISTRY}${text.slice(HUB_API_HOST.length)}` : text,
  );
  const problem = hostProblem(reference.registry);
  if (problem !== undefined) throw referenceInvalid(SUBJECT, input, problem);
  if (defaultTag !== false) reference = reference.withDefaultTag(defaultTag);
  return Object.freeze({ kind: 'registry', reference });
}

function dockerArchive(input: string, rest: string): DockerArchiveLocation {
  const colon = rest.indexOf(':', driveLength(rest));
  const path = colon < 0 ? rest : rest.slice(0, colon);
  checkPath(input, path);
  if (colon < 0) return Object.freeze({ kind: 'docker-archive', path });
  const name = rest.slice(colon + 1);
  if (name.startsWith('@')) {
    throw referenceInvalid(
      SUBJECT,
      input,
      'selecting an image by index ("@N") is not supported; name it by its reference',
    );
  }
  const reference = parseNormalized(name);
  if (reference.digest !== undefined) {
    throw referenceInvalid(SUBJECT, input, 'a Docker archive names images by tag, not digest');
  }
  return Object.freeze({
    kind: 'docker-archive',
    path,
    reference: reference.withDefaultTag(DEFAULT_TAG),
  });
}

function urlLayout(input: string, kind: LayoutLocation['kind'], rest: string): LayoutLocation {
  const at = rest.indexOf('@');
  const head = at < 0 ? rest : rest.slice(0, at);
  const digest = at < 0 ? undefined : checkedDigest(SUBJECT, input, rest.slice(at + 1));
  const colon = head.indexOf(':', driveLength(head));
  const tag = colon < 0 ? undefined : head.slice(colon + 1);
  if (tag !== undefined && !ANCHORED_TAG_RE.test(tag)) {
    throw referenceInvalid(SUBJECT, input, tag === '' ? 'the tag after ":" is empty' : TAG_RULE);
  }
  return layout(input, kind, colon < 0 ? head : head.slice(0, colon), tag, digest);
}

function transportLayout(
  input: string,
  kind: LayoutLocation['kind'],
  rest: string,
): LayoutLocation {
  const colon = rest.indexOf(':', driveLength(rest));
  const tag = colon < 0 ? undefined : rest.slice(colon + 1);
  if (tag?.startsWith('@')) {
    throw referenceInvalid(
      SUBJECT,
      input,
      'selecting an image by index ("@N") is not supported; name it by its ref name',
    );
  }
  if (tag !== undefined && !isRefName(tag)) {
    throw referenceInvalid(
      SUBJECT,
      input,
      tag === '' ? 'the tag after ":" is empty' : REF_NAME_RULE,
    );
  }
  return layout(input, kind, colon < 0 ? rest : rest.slice(0, colon), tag, undefined);
}

function layout(
  input: string,
  kind: LayoutLocation['kind'],
  path: string,
  tag: string | undefined,
  digest: Digest | undefined,
): LayoutLocation {
  checkPath(input, path);
  return Object.freeze({
    kind,
    path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  });
}

function checkPath(input: string, path: string): void {
  if (path === '') throw referenceInvalid(SUBJECT, input, 'the path is empty');
  if (CONTROL_RE.test(path)) {
    throw referenceInvalid(SUBJECT, input, 'the path holds a control character');
  }
}

/** Length of a leading Windows drive (`C:\` or `C:/` → 2), whose `:` is not a separator. */
function driveLength(text: string): number {
  return DRIVE_RE.test(text) ? 2 : 0;
}
