/**
 * An AWS SDK request handler that sends through an undici dispatcher, so the SDK's calls share the
 * tool's pool, proxy and CA settings with the hand-built GETs.
 */
import type { HeaderBag, HttpHandlerOptions, HttpRequest, HttpResponse } from "@smithy/types";
import type { Dispatcher } from "undici";
import { uriEncode } from "./sigv4.ts";

// Headers undici manages itself or refuses.
const DROPPED_HEADERS = new Set(["expect", "transfer-encoding", "connection", "keep-alive"]);

/**
 * Builds `a=1&b=2` from the SDK's query bag, keys sorted as the SDK's own handler does, escaped as
 * the SigV4 signer escapes (RFC 3986) so the sent query is the signed one.
 */
export function buildQueryString(query: HttpRequest["query"]): string {
  const parts: string[] = [];
  for (const key of Object.keys(query ?? {}).sort()) {
    const value = query![key];
    const name = uriEncode(key);
    if (value === null || value === undefined) parts.push(name);
    else if (Array.isArray(value)) for (const v of value) parts.push(`${name}=${uriEncode(v)}`);
    else parts.push(`${name}=${uriEncode(value)}`);
  }
  return parts.join("&");
}

/** The SDK's `requestHandler` on undici. */
export class UndiciHttpHandler {
  readonly #dispatcher: Dispatcher;
  readonly metadata = { handlerProtocol: "http/1.1" };

  constructor(dispatcher: Dispatcher) {
    this.#dispatcher = dispatcher;
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const port = request.port ? `:${request.port}` : "";
    const query = buildQueryString(request.query);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!DROPPED_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
    const response = await this.#dispatcher.request({
      origin: `${request.protocol}//${request.hostname}${port}`,
      path: query ? `${request.path}?${query}` : request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: request.body ?? null,
      signal: options.abortSignal as AbortSignal | undefined,
    });
    const responseHeaders: HeaderBag = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    return { response: { statusCode: response.statusCode, headers: responseHeaders, body: response.body } };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}
