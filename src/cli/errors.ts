/** What CLI commands share: the API call shape and plain error messages. */

export interface ApiResponse {
  status: number;
  body: any;
}

export type Call = (method: string, url: string, body?: unknown) => Promise<ApiResponse>;

/** Streams for large bodies: a file sent as the request body, an answer written to a stream. */
export interface Streams {
  /** POSTs `body` with `contentType`; the answer is parsed as for `call`. */
  upload(url: string, body: NodeJS.ReadableStream, contentType: string): Promise<ApiResponse>;
  /** GETs `url` and writes a successful answer's body to `destination`; a failure's body is parsed instead. */
  download(url: string, destination: NodeJS.WritableStream): Promise<ApiResponse>;
}

/** An error whose message is meant for the person at the terminal, without a stack. */
export class CliError extends Error {}

/** Turns a problem answer into a plain message for the terminal. */
export function expectOk(response: ApiResponse, what: string): any {
  if (response.status < 400) return response.body;
  const problem = response.body ?? {};
  const fields = (problem.errors ?? [])
    .map((e: { pointer: string; detail: string }) => `\n  ${e.pointer || '(body)'}: ${e.detail}`)
    .join('');
  throw new CliError(`Could not ${what}: ${problem.detail ?? problem.title ?? `HTTP ${response.status}`}${fields}`);
}
