/**
 * AWS Signature Version 4 for the requests we build by hand (object GETs). Small and cheap: the
 * signing key is derived once per day, region and secret, and the payload is `UNSIGNED-PAYLOAD`
 * (a GET has none). About a quarter of the SDK's per-request CPU (docs/architecture.md).
 */
import { createHmac, hash } from "node:crypto";

/** Credentials to sign with. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A request to sign. */
export interface SignableRequest {
  readonly method: string;
  /** `host[:port]` as sent in the Host header. */
  readonly host: string;
  /** The path as sent: already percent-encoded, not encoded again. */
  readonly path: string;
  /** Query parameters, not yet encoded. */
  readonly query?: Readonly<Record<string, string>>;
  /** Extra headers to sign, names in lower case. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options for {@linkcode signV4}. */
export interface SignOptions {
  readonly credentials: SigningCredentials;
  readonly region: string;
  /** Default `s3`. */
  readonly service?: string;
  /** Default: now. */
  readonly date?: Date;
  /** Default `UNSIGNED-PAYLOAD`. */
  readonly payloadHash?: string;
}

const keyCache = new Map<string, Buffer>();

/** RFC 3986 encoding, as SigV4 wants it (`encodeURIComponent` leaves `!'()*` alone). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The characters RFC 3986 leaves unreserved, and `/`: a key made only of these is its own path. */
const PLAIN_PATH = /^[A-Za-z0-9\-._~/]*$/;

/** Encodes an S3 key for a URL path: each segment encoded, `/` kept. */
export function encodeKeyPath(key: string): string {
  // ORCID keys (`097/0000-0002-1825-0097.xml`) need no escaping: one test instead of a split, an
  // encode per segment and a join on every GET.
  return PLAIN_PATH.test(key) ? key : key.split("/").map(uriEncode).join("/");
}

/** Query parameters encoded and sorted as SigV4 signs them; send exactly this string. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const cacheKey = `${day}\n${region}\n${service}\n${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    const kDate = createHmac("sha256", `AWS4${secret}`).update(day).digest();
    const kRegion = createHmac("sha256", kDate).update(region).digest();
    const kService = createHmac("sha256", kRegion).update(service).digest();
    key = createHmac("sha256", kService).update("aws4_request").digest();
    if (keyCache.size > 16) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

/** The last second formatted as `YYYYMMDDTHHMMSSZ`: requests in the same second share it. */
let lastSecond = Number.NaN;
let lastAmzDate = "";

function amzDateOf(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastAmzDate = date
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    lastSecond = second;
  }
  return lastAmzDate;
}

/**
 * Returns the headers that sign `request`: `authorization`, `x-amz-date`, `x-amz-content-sha256`
 * and, with temporary credentials, `x-amz-security-token`.
 *
 * @example
 * ```ts
 * const headers = signV4({ method: "GET", host: "s3.us-east-1.amazonaws.com", path: "/v3.0-summaries/097/x.xml" },
 *   { credentials, region: "us-east-1" });
 * ```
 */
export function signV4(request: SignableRequest, options: SignOptions): Record<string, string> {
  const service = options.service ?? "s3";
  const amzDate = amzDateOf(options.date ?? new Date());
  const day = amzDate.slice(0, 8);
  const payloadHash = options.payloadHash ?? "UNSIGNED-PAYLOAD";
  const signed: Record<string, string> = {
    ...request.headers,
    host: request.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": amzDate,
    ...(options.credentials.sessionToken ? { "x-amz-security-token": options.credentials.sessionToken } : {}),
  };
  const names = Object.keys(signed).sort();
  const canonicalHeaders = names.map((name) => `${name}:${signed[name]!.trim().replace(/\s+/g, " ")}\n`).join("");
  const signedHeaders = names.join(";");
  const query = canonicalQuery(request.query ?? {});
  const canonicalRequest = `${request.method}\n${request.path}\n${query}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  const scope = `${day}/${options.region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hash("sha256", canonicalRequest, "hex")}`;
  const signature = createHmac("sha256", signingKey(options.credentials.secretAccessKey, day, options.region, service))
    .update(stringToSign)
    .digest("hex");
  const { host: _host, ...headers } = signed;
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
