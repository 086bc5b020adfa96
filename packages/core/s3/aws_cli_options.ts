/** The AWS flags every tool that talks to S3 accepts, with the AWS CLI's names and meanings. */
import type { Argv } from "yargs";
import type { S3Options } from "./s3_client.ts";

/** Parsed AWS flags. */
export interface AwsArgs {
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly profile?: string;
  /** false after `--no-sign-request`. */
  readonly signRequest?: boolean;
}

/** Adds `--endpoint-url`, `--region`, `--profile` and `--no-sign-request` to a parser. */
export function withAwsOptions<T>(argv: Argv<T>): Argv<T & AwsArgs> {
  return (
    argv
      .option("endpoint-url", {
        type: "string",
        describe: "S3-compatible endpoint, e.g. http://127.0.0.1:4568 (default: AWS_ENDPOINT_URL)",
      })
      .option("region", { type: "string", describe: "AWS region (default: AWS_REGION, the profile's, or us-east-1)" })
      .option("profile", { type: "string", describe: "Named profile from ~/.aws/config (default: AWS_PROFILE)" })
      // yargs reads `--no-X` as X = false (boolean negation), and strict mode then refuses an X it
      // does not know: the flag is `sign-request` (hidden), and `no-sign-request` only tells --help.
      .option("sign-request", { type: "boolean", default: true, hidden: true })
      .option("no-sign-request", {
        type: "boolean",
        describe: "Send anonymous requests: no credentials are looked up (public buckets)",
      })
      .group(["endpoint-url", "region", "profile", "no-sign-request"], "AWS:") as Argv<T & AwsArgs>
  );
}

/** The S3 options for {@linkcode createS3Access} from parsed flags. */
export function s3OptionsFromArgs(args: AwsArgs, extra: Partial<S3Options> = {}): S3Options {
  return {
    ...(args.endpointUrl ? { endpointUrl: args.endpointUrl } : {}),
    ...(args.region ? { region: args.region } : {}),
    ...(args.profile ? { profile: args.profile } : {}),
    signRequest: args.signRequest !== false,
    ...extra,
  };
}
