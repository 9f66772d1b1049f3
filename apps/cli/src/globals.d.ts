/** The package version, put in by the build (tsup `define`). */
declare const OCIKIT_VERSION: string;
