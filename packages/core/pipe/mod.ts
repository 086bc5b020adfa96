/**
 * @module
 * The record pipe: record types, NDJSON in and out, error records, the CLI runner (flags, stdio,
 * signals, exit codes, progress and logging on stderr), shared flag checks, and times and durations
 * as people type them.
 */

export {
  asUsage,
  describeError,
  ExitCode,
  FatalError,
  runMain,
  type ToolContext,
  type ToolSpec,
  UsageError,
} from "./cli_runner.ts";
export { errorRecord } from "./error_record.ts";
export { secondsFlag, wholeNumberFlag } from "./flag_checks.ts";
export { holdMirror, type HoldMirrorOptions, inMirror } from "./hold_mirror.ts";
export { packageVersion } from "./package_version.ts";
export {
  type FetchedObject,
  isErrorDocument,
  newPlaceStats,
  type PlaceOptions,
  placeRecords,
  type PlaceStats,
} from "./place_records.ts";
export { LineSplitter, type NumberedLine, type ReadLinesOptions, readLines } from "./read_lines.ts";
export { parseRecordLine, readRecordInputs, readRecords, readRecordsOnly, type SourcedRecord } from "./read_records.ts";
export {
  type AffiliationRecord,
  type AffiliationType,
  type CheckpointRecord,
  type ErrorRecord,
  type FundingRecord,
  type GoneRecord,
  type ItemExternalId,
  type ItemSource,
  type KeyRecord,
  type LambdaRecord,
  type LinkRecord,
  type ManifestRecord,
  type MismatchRecord,
  type MissingRecord,
  type ObjectRecord,
  type ObjectRef,
  parseRecord,
  type PersonRecord,
  type PipelineRecord,
  type PlacedRecord,
  type UnchangedRecord,
  type UnknownRecord,
  type WorkRecord,
} from "./records.ts";
export { registerSecret } from "./redact.ts";
export {
  formatIsoMicros,
  formatLambdaMicros,
  formatLocalMicros,
  type Micros,
  nowMicros,
  parseDateTime,
  parseDuration,
  parseSpan,
  parseWhen,
} from "./time.ts";
export { DownstreamClosedError, RecordWriter, streamFlushed } from "./write_records.ts";
export { type CheckpointCounts, recordCheckpoints } from "./record_checkpoints.ts";
export { capYoungGeneration, YOUNG_GENERATION_MIB } from "./young_generation.ts";
