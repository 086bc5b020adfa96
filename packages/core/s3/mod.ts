/**
 * @module
 * S3 access: the client (signing, addressing, credentials, HTTP through undici), listing, error
 * classes, the one retry policy of requests, and the AWS CLI's flags.
 */
export * from "./aws_cli_options.ts";
export * from "./buffered_response.ts";
export * from "./list_objects.ts";
export * from "./s3_client.ts";
export * from "./s3_errors.ts";
export * from "./s3_response_error.ts";
export * from "./s3_retry.ts";
