/**
 * @module
 * The test bed: the local S3 server and the synthetic ORCID generator, for tests, the demo and the
 * benchmarks.
 */
export * from "./generator/dataset_files.ts";
export * from "./generator/evolve.ts";
export * from "./generator/generate.ts";
export * from "./generator/lambda.ts";
export * from "./generator/model.ts";
export * from "./generator/objects.ts";
export * from "./generator/orcid.ts";
export * from "./generator/orcid_records.ts";
export * from "./generator/store.ts";
export * from "./generator/xml.ts";
export * from "./s3/server.ts";
export * from "./pg/server.ts";
