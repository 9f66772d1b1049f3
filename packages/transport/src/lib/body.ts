/**
 * A request body. Bytes, strings and stream factories can be sent again
 * (after a 401 challenge, a retry or a 307 redirect); a bare stream can be
 * sent once, so a request with one is never repeated.
 */
export type RequestBody =
  | Uint8Array
  | string
  | ReadableStream<Uint8Array>
  | (() => ReadableStream<Uint8Array>);

/**
 * Tells whether a body can be sent more than once.
 *
 * @param body - the request body
 * @returns true for no body, bytes, strings and stream factories
 */
export function isReplayable(body: RequestBody | undefined): boolean {
  // `body === undefined` first: the `ReadableStream` global loads Node's web
  // streams (about 2 ms of start-up) at its first touch.
  return body === undefined || !(body instanceof ReadableStream);
}

/**
 * The `fetch` body for one attempt: a fresh stream from a factory, the
 * value itself otherwise.
 *
 * @param body - the request body
 * @returns what to hand to `fetch`
 */
export function bodyForAttempt(body: RequestBody | undefined): BodyInit | undefined {
  if (typeof body === 'function') return body();
  return body as BodyInit | undefined;
}
