/** Setting up S3 access the standard AWS way, shared by every tool. */
import { S3Client } from "@aws-sdk/client-s3";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider, BuildMiddleware, MetadataBearer } from "@smithy/types";
import type { Dispatcher } from "undici";
import { createDispatcher } from "./http_dispatcher.ts";
import { UndiciHttpHandler } from "./undici_http_handler.ts";

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

/** Everything a tool needs to talk to S3. */
export interface S3Access {
  /** The custom endpoint, when one is set (`http://127.0.0.1:4568`). */
  readonly endpointUrl: string | undefined;
  readonly signRequest: boolean;
  /** The shared pool; use it for hand-built requests too. */
  readonly dispatcher: Dispatcher;
  /** The credential chain, refreshed before expiry; undefined with `--no-sign-request`. */
  readonly credentials: AwsCredentialIdentityProvider | undefined;
  /** The SDK client for a bucket, with the right addressing style. */
  client(bucket: string): S3Client;
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

/**
 * Sets up S3 access: one undici pool, the standard credential chain (env, profiles, SSO, web
 * identity, container and instance roles) with refresh, path-style addressing where needed, and
 * bucket-level paths sent as `/bucket` (accepted by S3 and by servers that refuse `/bucket/`).
 *
 * @example
 * ```ts
 * const s3 = createS3Access({ endpointUrl: "http://127.0.0.1:4568", signRequest: false });
 * await s3.client("v3.0-summaries").send(new ListObjectsV2Command({ Bucket: "v3.0-summaries" }));
 * ```
 */
export function createS3Access(options: S3Options = {}): S3Access {
  const env = options.env ?? process.env;
  const endpointUrl = resolveEndpointUrl(options);
  const signRequest = options.signRequest ?? true;
  const profile = options.profile ?? env.AWS_PROFILE;
  const dispatcher = createDispatcher({
    ...(options.connections ? { connections: options.connections } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    env,
  });
  const credentials = signRequest ? credentialChain(options.profile, profile, env) : undefined;
  let regionPromise: Promise<string> | undefined;
  const region = () => (regionPromise ??= resolveRegion(options.region, profile, env));
  const clients = new Map<string, S3Client>();

  const client = (bucket: string): S3Client => {
    const style = addressingStyle(bucket, endpointUrl);
    let s3 = clients.get(style);
    if (!s3) {
      s3 = new S3Client({
        region,
        ...(endpointUrl ? { endpoint: endpointUrl } : {}),
        forcePathStyle: style === "path",
        followRegionRedirects: true,
        requestHandler: new UndiciHttpHandler(dispatcher),
        ...(credentials ? { credentials } : anonymous),
      });
      if (style === "path") s3.middlewareStack.add(dropBucketSlash, { step: "build", name: "dropBucketSlash" });
      clients.set(style, s3);
    }
    return s3;
  };

  return {
    endpointUrl,
    signRequest,
    dispatcher,
    credentials,
    client,
    region,
    async close() {
      for (const s3 of clients.values()) s3.destroy();
      await dispatcher.close();
    },
  };
}

// --no-sign-request: placeholder credentials and a signer that leaves the request as it is.
const anonymous = {
  credentials: { accessKeyId: "", secretAccessKey: "" },
  signer: { sign: async <T>(request: T) => request },
};

/** Rewrites a path-style bucket-level path `/bucket/` to `/bucket` before signing. */
const dropBucketSlash: BuildMiddleware<object, MetadataBearer> = (next) => (args) => {
  const request = args.request as { path?: unknown };
  if (typeof request.path === "string" && /^\/[^/]+\/$/.test(request.path)) {
    request.path = request.path.slice(0, -1);
  }
  return next(args);
};

/**
 * The AWS CLI's order: an explicit `--profile` first, then the environment's keys, then the SDK's
 * chain (AWS_PROFILE, SSO, web identity, container and instance roles), which refreshes expiring
 * credentials. Reading `env` rather than `process.env` keeps it testable.
 */
function credentialChain(
  explicitProfile: string | undefined,
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): AwsCredentialIdentityProvider {
  if (!explicitProfile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const identity = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    return async () => identity;
  }
  return fromNodeProviderChain(profile ? { profile } : {});
}

async function resolveRegion(explicit: string | undefined, profile: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  const fromEnv = explicit ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  // The SDK's own chain reads the profile's `region`; ORCID does not document its region, and
  // followRegionRedirects corrects a wrong guess.
  const probe = new S3Client(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return "us-east-1";
  } finally {
    probe.destroy();
  }
}
