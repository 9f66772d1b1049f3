/** The header every answer of a distribution registry carries. */
export const API_VERSION_HEADERS: Readonly<Record<string, string>> = {
  'docker-distribution-api-version': 'registry/2.0',
};

/**
 * A response with the registry's common headers.
 *
 * @param status - the HTTP status
 * @param headers - the answer's own headers
 * @param body - the body; none by default
 * @returns the response
 */
export function answer(
  status: number,
  headers: Record<string, string>,
  body: BodyInit | null = null,
): Response {
  return new Response(body, { status, headers: { ...API_VERSION_HEADERS, ...headers } });
}

/**
 * A JSON response with its `Content-Length`.
 *
 * @param value - the document
 * @param headers - more headers (`Content-Type` defaults to `application/json`)
 * @param method - the request method: a `HEAD` gets the headers only
 * @returns the response
 */
export function jsonAnswer(
  value: unknown,
  headers: Record<string, string>,
  method: string,
): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return answer(
    200,
    {
      'content-type': 'application/json',
      'content-length': String(bytes.byteLength),
      ...headers,
    },
    method === 'HEAD' ? null : bytes,
  );
}
