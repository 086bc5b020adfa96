/**
 * The AWS SDK client, for listings. Imported on demand by s3_client.ts so a tool that only GETs
 * never loads the SDK.
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentityProvider, BuildMiddleware, MetadataBearer } from "@smithy/types";
import type { Dispatcher } from "undici";
import { UndiciHttpHandler } from "./undici_http_handler.ts";

/** What an SDK client is made of. */
export interface SdkClientOptions {
  readonly style: "path" | "virtual";
  readonly endpointUrl: string | undefined;
  readonly region: () => Promise<string>;
  /** Undefined for anonymous requests. */
  readonly credentials: AwsCredentialIdentityProvider | undefined;
  readonly dispatcher: Dispatcher;
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

/** An S3Client that sends through our dispatcher, path-style where needed, `/bucket` not `/bucket/`. */
export function createSdkClient(options: SdkClientOptions): S3Client {
  const client = new S3Client({
    region: options.region,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    forcePathStyle: options.style === "path",
    followRegionRedirects: true,
    // The SDK's standard retry (backoff and jitter on throttling, 5xx, resets, timeouts), a few more times.
    maxAttempts: 5,
    requestHandler: new UndiciHttpHandler(options.dispatcher),
    ...(options.credentials ? { credentials: options.credentials } : anonymous),
  });
  if (options.style === "path") client.middlewareStack.add(dropBucketSlash, { step: "build", name: "dropBucketSlash" });
  return client;
}

/** The region of the SDK's own chain (the profile's `region`), or undefined. */
export async function sdkDefaultRegion(profile: string | undefined): Promise<string | undefined> {
  const probe = new S3Client(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}
