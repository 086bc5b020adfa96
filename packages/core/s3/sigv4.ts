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

/** What one day, region, service and key pair sign with: the derived key and the scope strings. */
interface Signing {
  readonly id: string;
  readonly key: Buffer;
  readonly scope: string;
  /** `AWS4-HMAC-SHA256 Credential=<access key>/<scope>, SignedHeaders=` */
  readonly credential: string;
}

const signingCache = new Map<string, Signing>();
let lastSigning: Signing | undefined;

function signingFor(credentials: SigningCredentials, day: string, region: string, service: string): Signing {
  const id = `${day}\n${region}\n${service}\n${credentials.accessKeyId}\n${credentials.secretAccessKey}`;
  // Every request of a run but the first of a day signs with the one before.
  if (lastSigning?.id === id) return lastSigning;
  let signing = signingCache.get(id);
  if (!signing) {
    const secret = credentials.secretAccessKey;
    const kDate = createHmac("sha256", `AWS4${secret}`).update(day).digest();
    const kRegion = createHmac("sha256", kDate).update(region).digest();
    const kService = createHmac("sha256", kRegion).update(service).digest();
    const key = createHmac("sha256", kService).update("aws4_request").digest();
    const scope = `${day}/${region}/${service}/aws4_request`;
    signing = {
      id,
      key,
      scope,
      credential: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=`,
    };
    if (signingCache.size > 16) signingCache.clear();
    signingCache.set(id, signing);
  }
  lastSigning = signing;
  return signing;
}

/** The last second formatted as `YYYYMMDDTHHMMSSZ`: requests in the same second share it. */
let lastSecond = Number.NaN;
let lastAmzDate = "";

function amzDateOf(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastAmzDate = new Date(second * 1000)
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    lastSecond = second;
  }
  return lastAmzDate;
}

/** A header value as SigV4 signs it: trimmed, runs of spaces made one. */
function canonicalValue(value: string): string {
  return /[^\S ]|^ | $| {2}/.test(value) ? value.trim().replace(/\s+/g, " ") : value;
}

const NO_EXTRA_HEADERS = "host;x-amz-content-sha256;x-amz-date";
const NO_EXTRA_HEADERS_TOKEN = `${NO_EXTRA_HEADERS};x-amz-security-token`;

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
  const amzDate = amzDateOf(options.date ? options.date.getTime() : Date.now());
  const day = amzDate.slice(0, 8);
  const payloadHash = options.payloadHash ?? "UNSIGNED-PAYLOAD";
  const token = options.credentials.sessionToken;
  const extra = request.headers;
  let canonicalHeaders: string;
  let signedHeaders: string;
  let headers: Record<string, string>;
  if (extra === undefined || Object.keys(extra).length === 0) {
    // The usual GET: the signed names are fixed, and already in order.
    canonicalHeaders = `host:${canonicalValue(request.host)}\nx-amz-content-sha256:${canonicalValue(payloadHash)}\nx-amz-date:${amzDate}\n${token ? `x-amz-security-token:${canonicalValue(token)}\n` : ""}`;
    signedHeaders = token ? NO_EXTRA_HEADERS_TOKEN : NO_EXTRA_HEADERS;
    headers = token
      ? { "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate, "x-amz-security-token": token }
      : { "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate };
  } else {
    const signed: Record<string, string> = {
      ...extra,
      host: request.host,
      "x-amz-content-sha256": payloadHash,
      "x-amz-date": amzDate,
      ...(token ? { "x-amz-security-token": token } : {}),
    };
    const names = Object.keys(signed).sort();
    canonicalHeaders = names.map((name) => `${name}:${canonicalValue(signed[name]!)}\n`).join("");
    signedHeaders = names.join(";");
    const { host: _host, ...rest } = signed;
    headers = rest;
  }
  const query = request.query ? canonicalQuery(request.query) : "";
  const canonicalRequest = `${request.method}\n${request.path}\n${query}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  const signing = signingFor(options.credentials, day, options.region, service);
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${signing.scope}\n${hash("sha256", canonicalRequest, "hex")}`;
  const signature = createHmac("sha256", signing.key).update(stringToSign).digest("hex");
  headers.authorization = `${signing.credential}${signedHeaders}, Signature=${signature}`;
  return headers;
}
