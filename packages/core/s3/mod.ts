/**
 * @module
 * S3 access: the client (signing, addressing, credentials, HTTP through undici), listing, error
 * classes, the one retry policy of requests, and the AWS CLI's flags.
 */

export { type AwsArgs, s3OptionsFromArgs, withAwsOptions } from "./aws_cli_options.ts";
export type { BufferedResponse } from "./buffered_response.ts";
export { type ListedObject, listObjects, ownCopy, parseListPage } from "./list_objects.ts";
export { createS3Access, type S3Access } from "./s3_client.ts";
export { classifyError } from "./s3_errors.ts";
export { s3ErrorFrom, s3ErrorFromBody } from "./s3_response_error.ts";
export { retryS3 } from "./s3_retry.ts";
