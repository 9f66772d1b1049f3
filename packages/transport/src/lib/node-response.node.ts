import type { Readable } from 'node:stream';

/** Statuses whose response has no body, which `Response` refuses one for. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Bytes a response body holds ahead of its reader before the socket is paused. */
const BODY_BUFFER_BYTES = 128 * 1024;

/** What a Node HTTP client hands over of a response. */
export interface NodeAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: Readable;
}

/**
 * A web `Response` of a response a Node HTTP client received, as `fetch`
 * answers with `redirect: 'manual'`. The body is a byte stream with
 * backpressure: the socket pauses while {@link BODY_BUFFER_BYTES} wait to be
 * read.
 *
 * @param url - the URL the request went to (the response's `url`)
 * @param method - the request's method (a `HEAD` answer has no body)
 * @param answer - status, headers and body stream
 * @returns the response
 */
export function webResponse(url: URL, method: string, answer: NodeAnswer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const each of Array.isArray(value) ? value : [value]) {
      if (each !== undefined) headers.append(name, each);
    }
  }
  const empty = method === 'HEAD' || NULL_BODY.has(answer.status);
  if (empty) answer.body.resume();
  const response = new Response(empty ? null : webStream(answer.body), {
    status: answer.status,
    headers,
  });
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

/** A web byte stream of a Node stream, pausing it while the reader is behind. */
function webStream(source: Readable): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.on('data', (chunk: Buffer) => {
          if (!open) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once('end', () => {
          if (open) controller.close();
          open = false;
        });
        source.once('error', (error) => {
          if (open) controller.error(error);
          open = false;
        });
        source.pause();
      },
      pull() {
        source.resume();
      },
      cancel(reason) {
        open = false;
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: BODY_BUFFER_BYTES, size: (chunk) => chunk.byteLength },
  );
}
