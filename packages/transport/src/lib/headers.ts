/**
 * Request headers as the transport builds them: a plain record of
 * lower-cased names. Not a `Headers`: in Node, the first touch of the
 * `Headers` global loads the whole of Node's fetch implementation (about
 * 20 ms), which a request on `node:http` does not need before it is sent.
 */
export type OutgoingHeaders = Record<string, string>;

/**
 * Headers of any `HeadersInit` shape (a `Headers`, pairs, a record) as
 * {@link OutgoingHeaders}; repeated names are joined with `, ` as
 * `Headers` joins them.
 *
 * @param init - the headers a caller gave, or `undefined`
 * @returns a fresh record of lower-cased names
 */
export function outgoingHeaders(init: HeadersInit | undefined): OutgoingHeaders {
  const out: OutgoingHeaders = {};
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`;
  };
  if (init === undefined) return out;
  if (isIterable(init)) {
    for (const [name, value] of init as Iterable<readonly [string, string]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(init)) add(name, value);
  }
  return out;
}

/**
 * A copy of headers without some of them.
 *
 * @param headers - the headers
 * @param names - the lower-cased names to leave out
 * @returns the copy
 */
export function withoutHeaders(
  headers: OutgoingHeaders,
  names: readonly string[],
): OutgoingHeaders {
  const out = { ...headers };
  for (const name of names) delete out[name];
  return out;
}

function isIterable(value: object): value is Iterable<unknown> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
