import { OciError } from '@ocikit/digest';
import type { TagFilter } from '@ocikit/transfer';

/** What one entry of a {@link ClientSyncPlan} copies; unset fields take the plan's `defaults`. */
export interface ClientSyncEntry {
  /**
   * `repository`: the tags of `source` that `tags` takes. `image` (regsync's
   * `type: image`): one image, `source` naming its tag or digest
   * (`docker.io/library/alpine:3.20`, `…@sha256:…`; `latest` when it names
   * neither), `destination` the tag to set (the source's tag when it names
   * none).
   * @default 'repository'
   */
  readonly type?: 'repository' | 'image';
  /**
   * A registry repository (`docker.io/library/alpine`), an OCI layout
   * (`oci:DIR`) or an `oci-archive:FILE` (plain or gzip), naming no tag
   * (an `image` entry's names its tag or digest).
   */
  readonly source: string;
  /**
   * Where its tags go: a registry repository or an OCI layout directory,
   * naming no tag (an `image` entry's may name the tag to set).
   */
  readonly destination: string;
  /** The tags to take: a `TagFilter` of `@ocikit/transfer`, or one regular expression; not for `image` entries. */
  readonly tags?: TagFilter | string;
  /** Keep only these platforms of each index (`linux/amd64`). */
  readonly platforms?: readonly string[];
  /** Copy the referrers (signatures, SBOMs) too. */
  readonly referrers?: boolean;
}

/**
 * A sync plan, as a YAML plan file holds it (see {@link parseSyncPlan}):
 * regsync's configuration with ocikit's names.
 */
export interface ClientSyncPlan {
  /** Defaults of every entry of `sync` (`tags` of repository entries only). */
  readonly defaults?: Omit<ClientSyncEntry, 'type' | 'source' | 'destination'>;
  /** Per registry, as named in references (`docker.io`; `*` for the others): how fast to go. */
  readonly registries?: Readonly<Record<string, { readonly requestsPerSecond?: number }>>;
  /** When to stop: a registry's `ratelimit-remaining` at or below `minRemaining` (default 0). */
  readonly rateLimit?: { readonly minRemaining?: number };
  /** Sync only this shard: `INDEX/COUNT` such as `0/3`. */
  readonly shard?: string;
  /** What to keep in sync. */
  readonly sync: readonly ClientSyncEntry[];
}

/**
 * Reads a YAML sync plan file and checks its shape: unknown keys are
 * refused (typos), except those starting with `x-` (free for your own
 * tools and for YAML anchors, which `<<:` may merge in, as in regsync).
 *
 * @param text - the YAML text
 * @param name - the file name, for messages
 * @returns the plan
 * @throws {OciError} `CONFIG_INVALID` naming the file and the field that is wrong
 */
export async function parseSyncPlan(text: string, name = 'the sync plan'): Promise<ClientSyncPlan> {
  const parseYaml = await loadYamlParser();
  let value: unknown;
  try {
    value = parseYaml(text, { merge: true });
  } catch (error) {
    throw new OciError(
      'CONFIG_INVALID',
      `Cannot read ${name}: ${error instanceof Error ? error.message.split('\n')[0] : 'not YAML'}`,
      { cause: error },
    );
  }
  const check = new Checker(name);
  const plan = check.object(value, '', ['defaults', 'registries', 'rateLimit', 'shard', 'sync']);
  if (plan.defaults !== undefined) {
    check.entry(plan.defaults, 'defaults', false);
  }
  if (plan.registries !== undefined) {
    const registries = check.object(plan.registries, 'registries');
    for (const [registry, settings] of Object.entries(registries)) {
      const path = `registries.${registry}`;
      const fields = check.object(settings, path, ['requestsPerSecond']);
      check.optional(fields.requestsPerSecond, `${path}.requestsPerSecond`, 'a number', isNumber);
    }
  }
  if (plan.rateLimit !== undefined) {
    const limit = check.object(plan.rateLimit, 'rateLimit', ['minRemaining']);
    check.optional(limit.minRemaining, 'rateLimit.minRemaining', 'a number', isNumber);
  }
  check.optional(plan.shard, 'shard', 'a string such as "0/3"', isString);
  if (!Array.isArray(plan.sync) || plan.sync.length === 0) {
    throw check.error('sync', 'a list of entries with source and destination');
  }
  plan.sync.forEach((entry, at) => {
    check.entry(entry, `sync[${at}]`, true);
  });
  return plan as unknown as ClientSyncPlan;
}

/**
 * Reads `INDEX/COUNT` (such as `1/3`) as a shard.
 *
 * @param text - the shard
 * @returns the index and count
 * @throws {OciError} `OPTION_INVALID` unless 0 ≤ index < count
 */
export function parseShard(text: string): { index: number; count: number } {
  const parts = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(parts?.[1]);
  const count = Number(parts?.[2]);
  if (parts === null || count < 1 || index >= count) {
    throw new OciError(
      'OPTION_INVALID',
      `A shard is INDEX/COUNT with 0 ≤ INDEX < COUNT, such as "0/3", not "${text}"`,
    );
  }
  return { index, count };
}

const ENTRY_KEYS = ['type', 'source', 'destination', 'tags', 'platforms', 'referrers'];
const DEFAULT_KEYS = ['tags', 'platforms', 'referrers'];
const ENTRY_TYPES = ['repository', 'image'];
const TAG_KEYS = ['include', 'exclude', 'semver', 'latest'];

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';
const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every(isString);

/** Shape checks that name the file and the field. */
class Checker {
  readonly #name: string;

  constructor(name: string) {
    this.#name = name;
  }

  error(path: string, expected: string): OciError {
    return new OciError(
      'CONFIG_INVALID',
      `In ${this.#name}, ${path || 'the top level'} must be ${expected}`,
    );
  }

  object(value: unknown, path: string, keys?: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.error(path, 'a mapping');
    }
    const record = value as Record<string, unknown>;
    if (keys !== undefined) {
      const unknown = Object.keys(record).find(
        (key) => !keys.includes(key) && !key.startsWith('x-'),
      );
      if (unknown !== undefined) {
        throw new OciError(
          'CONFIG_INVALID',
          `In ${this.#name}, ${path ? `${path} has` : 'there is'} an unknown key "${unknown}" (known: ${keys.join(', ')})`,
        );
      }
    }
    return record;
  }

  optional(value: unknown, path: string, expected: string, test: (v: unknown) => boolean): void {
    if (value !== undefined && !test(value)) throw this.error(path, expected);
  }

  entry(value: unknown, path: string, located: boolean): void {
    const entry = this.object(value, path, located ? ENTRY_KEYS : DEFAULT_KEYS);
    if (located) {
      for (const key of ['source', 'destination']) {
        if (!isString(entry[key])) throw this.error(`${path}.${key}`, 'a location string');
      }
      this.optional(entry.type, `${path}.type`, '"repository" or "image"', (v) =>
        ENTRY_TYPES.includes(v as string),
      );
      if (entry.type === 'image' && entry.tags !== undefined) {
        throw new OciError(
          'CONFIG_INVALID',
          `In ${this.#name}, ${path} is an image entry: it copies the one image its source names, and takes no tags filter`,
        );
      }
    }
    this.optional(entry.platforms, `${path}.platforms`, 'a list of platforms', isStrings);
    this.optional(
      entry.referrers,
      `${path}.referrers`,
      'true or false',
      (v) => typeof v === 'boolean',
    );
    if (entry.tags === undefined || isString(entry.tags)) return;
    const tags = this.object(entry.tags, `${path}.tags`, TAG_KEYS);
    this.optional(tags.include, `${path}.tags.include`, 'a list of regular expressions', isStrings);
    this.optional(tags.exclude, `${path}.tags.exclude`, 'a list of regular expressions', isStrings);
    this.optional(
      tags.semver,
      `${path}.tags.semver`,
      'a semver range such as ">=1.2 <2"',
      isString,
    );
    this.optional(tags.latest, `${path}.tags.latest`, 'a number', isNumber);
  }
}

type YamlModule = typeof import('yaml');

/**
 * Loads the YAML parser when a plan is read, not with the package: only a
 * sync reads YAML. A bundle (the `ocikit` CLI) may hand the CommonJS module's
 * exports over as `default` alone; every runtime and build has `default`.
 */
async function loadYamlParser(): Promise<YamlModule['parse']> {
  const yaml: Partial<YamlModule> & { default?: YamlModule } = await import('yaml');
  return (yaml.default ?? (yaml as YamlModule)).parse;
}
