/**
 * The records orcid-db consumes: orcid-extract's, as core declares them (docs/protocol.md). Every
 * record of an iD follows the `person` or `gone` record that opens it.
 */
import type {
  AffiliationRecord,
  FundingRecord,
  GoneRecord,
  LinkRecord,
  PersonRecord,
  WorkRecord,
} from "@orcid-sync/core";

/** A record that opens an iD. */
export type OpenerRecord = PersonRecord | GoneRecord;

/** A record that belongs to the iD opened before it. */
export type ItemRecord = WorkRecord | AffiliationRecord | FundingRecord | LinkRecord;

/** Every record type orcid-db consumes. */
export type InputRecord = OpenerRecord | ItemRecord;

const INPUT_TYPES = new Set(["person", "gone", "work", "affiliation", "funding", "link"]);

/**
 * Whether a record is one orcid-db consumes (by its `type`); its fields are checked when loaded.
 *
 * @example
 * ```ts
 * isInputRecord({ type: "checkpoint", bucket: "b", folder: "097" }); // false
 * ```
 */
export function isInputRecord(record: { readonly type: string }): record is InputRecord {
  return INPUT_TYPES.has(record.type);
}
