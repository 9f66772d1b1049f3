import { Readable } from 'node:stream';
import { OciError, readBytes } from '@ocikit/digest';
import { AnswerHeaders, type RawHeaders } from './answer-headers.ts';

/** Statuses whose response has no body (as `fetch` answers them). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Bytes a response body holds ahead of its reader before the socket is paused. */
const BODY_BUFFER_BYTES = 128 * 1024;

/** What a Node HTTP client hands over of a response. */
export interface NodeAnswer {
  readonly status: number;
  /** The reason phrase, when the client gives one. */
  readonly statusText?: string;
  readonly headers: RawHeaders;
  readonly body: Readable;
}

/**
 * A web `Response` of a response a Node HTTP client received, as `fetch`
 * answers with `redirect: 'manual'` (a redirect is an ordinary response of
 * type `default`). The body is a byte stream with backpressure: the socket
 * pauses while {@link BODY_BUFFER_BYTES} wait to be read.
 *
 * @param url - the URL the request went to (the response's `url`)
 * @param method - the request's method (a `HEAD` answer has no body)
 * @param answer - status, headers and body stream
 * @returns the response
 */
export function webResponse(url: URL, method: string, answer: NodeAnswer): Response {
  const empty = method === 'HEAD' || NULL_BODY.has(answer.status);
  if (empty) answer.body.resume();
  return new NodeResponse(
    url.href,
    answer.status,
    answer.statusText ?? '',
    new AnswerHeaders(answer.headers),
    empty ? null : webStream(answer.body),
  );
}

/**
 * The web `Response` interface over a received answer, without Node's
 * `Response`: the first `new Response()` (or `new Headers()`) in a process
 * loads Node's whole fetch implementation, about 15 ms, which a request on
 * `node:http` or undici's `request()` does not need. Its `headers` are an
 * {@link AnswerHeaders}; `formData()` alone builds a Node `Response` (only
 * when called). Reading a body twice, or a locked one, throws
 * (`OPTION_INVALID`; `Response` throws a `TypeError`).
 */
class NodeResponse implements Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: AnswerHeaders;
  readonly url: string;
  readonly redirected = false;
  readonly type: ResponseType = 'default';
  #body: ReadableStream<Uint8Array<ArrayBuffer>> | null;

  constructor(
    url: string,
    status: number,
    statusText: string,
    headers: AnswerHeaders,
    body: ReadableStream<Uint8Array<ArrayBuffer>> | null,
  ) {
    this.url = url;
    this.status = status;
    this.statusText = statusText;
    this.headers = headers;
    this.#body = body;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#body;
  }

  get bodyUsed(): boolean {
    return this.#body !== null && disturbed(this.#body);
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    const stream = this.#unusedBody();
    if (stream === null) return new Uint8Array(0);
    const bytes = await readBytes(stream, { maxBytes: Number.POSITIVE_INFINITY });
    // A body of one chunk is a view of a socket's buffer: copied, so that
    // `buffer` (of `arrayBuffer()`) is the body's bytes alone.
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes as Uint8Array<ArrayBuffer>)
      : (bytes.slice() as Uint8Array<ArrayBuffer>);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' });
  }

  /** Parses the body with Node's own `Response` (loaded only for this). */
  formData(): Promise<FormData> {
    return new Response(this.#unusedBody(), {
      status: this.status,
      statusText: this.statusText,
      headers: [...this.headers],
    }).formData();
  }

  /** A copy whose body is the second branch of this body's tee. */
  clone(): Response {
    const stream = this.#unusedBody();
    let copy: ReadableStream<Uint8Array<ArrayBuffer>> | null = null;
    if (stream !== null) [this.#body, copy] = stream.tee();
    return new NodeResponse(this.url, this.status, this.statusText, this.headers, copy);
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }

  /** The body, if no one read or locked it yet. */
  #unusedBody(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    const stream = this.#body;
    if (stream !== null && (stream.locked || disturbed(stream))) {
      throw new OciError('OPTION_INVALID', 'The response body was read already, or is being read');
    }
    return stream;
  }
}

/**
 * Whether a web stream was read from or cancelled (Node's test takes web
 * streams too; where a runtime has none, a body counts as used once locked).
 */
function disturbed(stream: ReadableStream): boolean {
  return typeof Readable.isDisturbed === 'function'
    ? Readable.isDisturbed(stream as unknown as Readable)
    : stream.locked;
}

/** A web byte stream of a Node stream, pausing it while the reader is behind. */
function webStream(source: Readable): ReadableStream<Uint8Array<ArrayBuffer>> {
  let open = true;
  return new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      start(controller) {
        source.on('data', (chunk: Buffer) => {
          if (!open) return;
          controller.enqueue(
            new Uint8Array(chunk.buffer as ArrayBuffer, chunk.byteOffset, chunk.byteLength),
          );
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
