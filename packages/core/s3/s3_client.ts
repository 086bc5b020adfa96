/** Setting up S3 access the standard AWS way, shared by every tool. */
import type { S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { Dispatcher } from "undici";
import { type BufferedOptions, type BufferedResponse, dispatchBuffered } from "./buffered_response.ts";
import { credentialChain, fixedIdentity } from "./credentials.ts";
import { createDispatcher } from "./http_dispatcher.ts";
import { canonicalQuery, encodeKeyPath, signV4 } from "./sigv4.ts";
import { asUnreachable } from "./unreachable_error.ts";

/** How to reach S3; every field has the AWS CLI's meaning. */
export interface S3Options {
  /** `--endpoint-url`; falls back to `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`. */
  readonly endpointUrl?: string;
  /** `--region`; falls back to the environment, the profile, then `us-east-1`. */
  readonly region?: string;
  /** `--profile`; falls back to `AWS_PROFILE`. */
  readonly profile?: string;
  /** false for `--no-sign-request`: anonymous requests, no credentials looked up. Default true. */
  readonly signRequest?: boolean;
  /** Connections per origin; size it to the tool's concurrency. Default 64. */
  readonly connections?: number;
  /** Time to wait for headers or the next body chunk, in ms. Default 60 000. */
  readonly timeoutMs?: number;
  /** The environment to read; replaceable for tests. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Options of a hand-built object request. */
export interface ObjectRequestOptions {
  /** Default GET. */
  readonly method?: "GET" | "HEAD";
  /** Extra request headers (`if-none-match`, `range`), names in lower case. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Query parameters, not yet encoded (a bucket-level request such as a listing). */
  readonly query?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** Everything a tool needs to talk to S3. */
export interface S3Access {
  /** The custom endpoint, when one is set (`http://127.0.0.1:4568`). */
  readonly endpointUrl: string | undefined;
  readonly signRequest: boolean;
  /** The shared pool; use it for hand-built requests too. */
  readonly dispatcher: Dispatcher;
  /** The credential chain, refreshed before expiry; undefined with `--no-sign-request`. */
  readonly credentials: AwsCredentialIdentityProvider | undefined;
  /** The SDK client for a bucket, with the right addressing style (loads the SDK on first use). */
  client(bucket: string): Promise<S3Client>;
  /**
   * A signed request on the shared pool, without the SDK: the cheap path for GETs and listings
   * (an empty key is the bucket itself). The caller reads or dumps the body. A bucket in another
   * region is followed once (301).
   */
  request(bucket: string, key: string, options?: ObjectRequestOptions): Promise<Dispatcher.ResponseData>;
  /**
   * The same request with its whole body in one Buffer, without a stream: the per-object hot path
   * (`dispatchBuffered`). `beforeBody` may hold the body back (a byte budget), and `whileReading`
   * a body of unknown size as it grows; `beforeBody` sees every final
   * status, a followed redirect's (301) too, and should hold back only the object's (200).
   */
  requestBuffered(
    bucket: string,
    key: string,
    options?: ObjectRequestOptions & Pick<BufferedOptions, "beforeBody" | "whileReading">,
  ): Promise<BufferedResponse>;
  /** The region requests are signed for. */
  region(): Promise<string>;
  /** Closes the pool. */
  close(): Promise<void>;
}

/**
 * `path` when an endpoint is given (S3-compatible stores) or the bucket name has a dot (`v3.0-…`:
 * a virtual-hosted HTTPS name would fail the certificate's name check); `virtual` otherwise.
 *
 * @example
 * ```ts
 * addressingStyle("v3.0-summaries"); // "path"
 * addressingStyle("orcid-lambda-file"); // "virtual"
 * ```
 */
export function addressingStyle(bucket: string, endpointUrl?: string): "path" | "virtual" {
  return endpointUrl !== undefined || bucket.includes(".") ? "path" : "virtual";
}

/** The endpoint from the options or the environment. */
export function resolveEndpointUrl(options: S3Options): string | undefined {
  const env = options.env ?? process.env;
  const url = options.endpointUrl ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return url ? url.replace(/\/+$/, "") : undefined;
}

/** Origin and path of an object's URL. */
export function objectLocation(
  bucket: string,
  key: string,
  region: string,
  endpointUrl: string | undefined,
): { origin: string; host: string; path: string } {
  // A bucket-level request goes to `/bucket`, not `/bucket/`: S3 takes both, some compatible servers sign only the first.
  const keyPath = key === "" ? "" : `/${encodeKeyPath(key)}`;
  if (endpointUrl) {
    const { origin, host, base } = parsedEndpoint(endpointUrl);
    return { origin, host, path: `${base}/${bucket}${keyPath}` };
  }
  if (addressingStyle(bucket) === "path") {
    const host = `s3.${region}.amazonaws.com`;
    return { origin: `https://${host}`, host, path: `/${bucket}${keyPath}` };
  }
  const host = `${bucket}.s3.${region}.amazonaws.com`;
  return { origin: `https://${host}`, host, path: keyPath || "/" };
}

/** The last endpoint parsed: every GET of a run goes to the same one, and a URL parse costs more than the rest of the location. */
let lastEndpoint:
  | { readonly url: string; readonly origin: string; readonly host: string; readonly base: string }
  | undefined;

function parsedEndpoint(endpointUrl: string): {
  readonly origin: string;
  readonly host: string;
  readonly base: string;
} {
  if (lastEndpoint?.url !== endpointUrl) {
    const url = new URL(endpointUrl);
    lastEndpoint = { url: endpointUrl, origin: url.origin, host: url.host, base: url.pathname.replace(/\/+$/, "") };
  }
  return lastEndpoint;
}

/**
 * Sets up S3 access: one undici pool, the standard credential chain (env, profiles, SSO, web
 * identity, container and instance roles) with refresh, path-style addressing where needed. The SDK
 * is loaded only when a listing needs it.
 *
 * @example
 * ```ts
 * const s3 = createS3Access({ endpointUrl: "http://127.0.0.1:4568", signRequest: false });
 * const response = await s3.request("v3.0-summaries", "097/0000-0002-1825-0097.xml");
 * ```
 */
export function createS3Access(options: S3Options = {}): S3Access {
  const env = options.env ?? process.env;
  const endpointUrl = resolveEndpointUrl(options);
  const signRequest = options.signRequest ?? true;
  const dispatcher = createDispatcher({
    ...(options.connections ? { connections: options.connections } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    env,
  });
  const credentials = signRequest ? credentialChain(options.profile, env) : undefined;
  let regionPromise: Promise<string> | undefined;
  // Once known, the region is read without a promise per request.
  let regionKnown: string | undefined;
  const region = () =>
    (regionPromise ??= resolveRegion(options.region, options.profile ?? env.AWS_PROFILE, env).then((resolved) => {
      regionKnown = resolved;
      return resolved;
    }));
  const bucketRegions = new Map<string, string>();
  const clients = new Map<string, Promise<S3Client>>();

  const client = (bucket: string): Promise<S3Client> => {
    const style = addressingStyle(bucket, endpointUrl);
    let made = clients.get(style);
    if (!made) {
      made = import("./sdk_client.ts").then(({ createSdkClient }) =>
        createSdkClient({ style, endpointUrl, region, credentials, dispatcher }),
      );
      clients.set(style, made);
    }
    return made;
  };

  /** The request as undici takes it, signed for the bucket's region with `identity`. */
  const prepare = (
    bucket: string,
    key: string,
    requestOptions: ObjectRequestOptions,
    bucketRegion: string,
    identity: AwsCredentialIdentity | undefined,
  ) => {
    const location = objectLocation(bucket, key, bucketRegion, endpointUrl);
    const method = requestOptions.method ?? "GET";
    const extra = requestOptions.headers;
    const query = requestOptions.query;
    const headers = identity
      ? signV4(
          query
            ? { method, host: location.host, path: location.path, query }
            : { method, host: location.host, path: location.path },
          { credentials: identity, region: bucketRegion },
        )
      : {};
    // The extra headers are sent, not signed; a signing header of the same name wins.
    if (extra) for (const name in extra) if (!(name in headers)) headers[name] = extra[name]!;
    return {
      origin: location.origin,
      path: query ? `${location.path}?${canonicalQuery(query)}` : location.path,
      method,
      headers,
    };
  };
  // Keys from the environment: signed with at once, not through a promise per request.
  const fixed = credentials ? fixedIdentity(credentials) : undefined;
  const identityNow = () => fixed ?? credentials?.();
  // Until the server has answered once, a failed connection says what to check (UnreachableError).
  let answered = false;
  const send = async (bucket: string, key: string, requestOptions: ObjectRequestOptions, bucketRegion: string) => {
    const prepared = prepare(bucket, key, requestOptions, bucketRegion, await identityNow());
    try {
      const response = await dispatcher.request({
        ...prepared,
        ...(requestOptions.signal ? { signal: requestOptions.signal } : {}),
      });
      answered = true;
      return response;
    } catch (error) {
      throw answered ? error : asUnreachable(error, prepared.origin, endpointUrl !== undefined);
    }
  };
  const sendBuffered = async (
    bucket: string,
    key: string,
    requestOptions: ObjectRequestOptions & BufferedOptions,
    bucketRegion: string,
  ) => {
    const identity = fixed ?? (credentials ? await credentials() : undefined);
    const prepared = prepare(bucket, key, requestOptions, bucketRegion, identity);
    try {
      const response = await dispatchBuffered(dispatcher, prepared, requestOptions);
      answered = true;
      return response;
    } catch (error) {
      throw answered ? error : asUnreachable(error, prepared.origin, endpointUrl !== undefined);
    }
  };
  /** The region a 301 names, when it is to be followed. */
  const movedTo = (statusCode: number, headers: Record<string, string | string[] | undefined>) => {
    const moved = headers["x-amz-bucket-region"];
    return statusCode === 301 && typeof moved === "string" && !endpointUrl ? moved : undefined;
  };

  return {
    endpointUrl,
    signRequest,
    dispatcher,
    credentials,
    client,
    region,
    async request(bucket, key, requestOptions = {}) {
      const response = await send(bucket, key, requestOptions, bucketRegions.get(bucket) ?? (await region()));
      const moved = movedTo(response.statusCode, response.headers);
      if (moved) {
        await response.body.dump();
        bucketRegions.set(bucket, moved);
        return send(bucket, key, requestOptions, moved);
      }
      return response;
    },
    async requestBuffered(bucket, key, requestOptions = {}) {
      const bucketRegion = bucketRegions.get(bucket) ?? regionKnown ?? (await region());
      const response = await sendBuffered(bucket, key, requestOptions, bucketRegion);
      const moved = movedTo(response.statusCode, response.headers);
      if (moved) {
        bucketRegions.set(bucket, moved);
        return sendBuffered(bucket, key, requestOptions, moved);
      }
      return response;
    },
    async close() {
      for (const made of clients.values()) (await made).destroy();
      await dispatcher.close();
    },
  };
}

async function resolveRegion(
  explicit: string | undefined,
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const fromEnv = explicit ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  // The profile's `region`, through the SDK's own chain. ORCID does not document its buckets'
  // region; requests to the wrong one are redirected and followed.
  const { sdkDefaultRegion } = await import("./sdk_client.ts");
  return (await sdkDefaultRegion(profile)) ?? "us-east-1";
}
