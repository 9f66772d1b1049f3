// The distribution/reference grammar, composed from the same pieces as
// distribution's regexp.go so that every pattern equals its Go counterpart
// (RE2 `[[:xdigit:]]` is written `[0-9A-Fa-f]`; JavaScript's `\w` is ASCII, as
// in Go). Compiled once, at module load.
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [ domain "/" ] remote-name
//   domain           := host [ ":" port-number ]
//   host             := domain-name | "[" IPv6address "]"
//   domain-name      := domain-component [ "." domain-component ]*
//   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//   port-number      := /[0-9]+/
//   remote-name      := path-component [ "/" path-component ]*
//   path-component   := alpha-numeric [ separator alpha-numeric ]*
//   alpha-numeric    := /[a-z0-9]+/
//   separator        := /[_.]|__|[-]+/
//   tag              := /[\w][\w.-]{0,127}/
//   digest           := algorithm ":" /[0-9a-fA-F]{32,}/
//   identifier       := /[a-f0-9]{64}/

function optional(...parts: string[]): string {
  return `(?:${parts.join('')})?`;
}

function anyTimes(...parts: string[]): string {
  return `(?:${parts.join('')})*`;
}

function capture(...parts: string[]): string {
  return `(${parts.join('')})`;
}

function anchored(...parts: string[]): RegExp {
  return new RegExp(`^${parts.join('')}$`);
}

const ALPHANUMERIC = '[a-z0-9]+';
// One period, one or two underscores, or any number of dashes.
const SEPARATOR = '(?:[._]|__|[-]+)';
const DOMAIN_NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const OPTIONAL_PORT = '(?::[0-9]+)?';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const IDENTIFIER = '([a-f0-9]{64})';
// Compressed or full IPv6 in brackets; zones and IPv4-mapped forms are excluded.
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_NAME = DOMAIN_NAME_COMPONENT + anyTimes('\\.', DOMAIN_NAME_COMPONENT);
const HOST = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})`;
const DOMAIN_AND_PORT = HOST + OPTIONAL_PORT;
const PATH_COMPONENT = ALPHANUMERIC + anyTimes(SEPARATOR, ALPHANUMERIC);
const REMOTE_NAME = PATH_COMPONENT + anyTimes('/', PATH_COMPONENT);
const NAME = optional(DOMAIN_AND_PORT, '/') + REMOTE_NAME;

/** A whole reference; groups: 1 name, 2 tag, 3 digest. */
export const REFERENCE_RE = anchored(
  capture(NAME),
  optional(':', capture(TAG)),
  optional('@', capture(DIGEST)),
);

/** A name without tag or digest; groups: 1 domain with port, 2 remote name (path). */
export const ANCHORED_NAME_RE = anchored(
  optional(capture(DOMAIN_AND_PORT), '/'),
  capture(REMOTE_NAME),
);

/** A repository path without a registry (the distribution-spec `<name>`): path components joined by `/`. */
export const ANCHORED_REMOTE_NAME_RE = anchored(REMOTE_NAME);

/** A registry host: domain name, IPv4 or bracketed IPv6, with an optional port. */
export const ANCHORED_DOMAIN_RE = anchored(DOMAIN_AND_PORT);

/** A tag: 1 to 128 word characters, dots and dashes, not starting with `.` or `-`. */
export const ANCHORED_TAG_RE = anchored(TAG);

/** A digest as the reference grammar sees it: any algorithm, at least 32 hex digits. */
export const ANCHORED_DIGEST_RE = anchored(DIGEST);

/** 64 lower-case hex digits: an image ID, a sha256 digest without its algorithm. */
export const ANCHORED_IDENTIFIER_RE = anchored(IDENTIFIER);
