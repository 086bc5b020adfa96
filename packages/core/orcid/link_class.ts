/** Who asserted a link: ORCID's provenance classes, shared by orcid-extract and orcid-db. */
import type { ItemSource } from "../pipe/mod.ts";

/** Crossref's auto-update client. */
export const CROSSREF_CLIENT = "0000-0001-9884-1913";
/** DataCite's client: its auto-update and its search-and-link share this id. */
export const DATACITE_CLIENT = "0000-0001-8099-6984";

/**
 * The built-in client table: client id → the `class` of what that client asserts (rules 4 and 5).
 * orcid-extract's `--clients FILE` adds rows (or replaces these).
 */
export const DEFAULT_CLIENT_LABELS: ReadonlyMap<string, string> = new Map([
  [CROSSREF_CLIENT, "crossref"],
  [DATACITE_CLIENT, "datacite"],
]);

/**
 * The provenance class of an item of `orcid`'s record (a link's `class`), decided in this order:
 * 1. `source-orcid` is the iD → `self`;
 * 2. `source-orcid` is another iD → `other-person`;
 * 3. a client source whose `assertion-origin-orcid` is the iD → `self-via-member`
 *    (search-and-link tools such as Scopus, Europe PMC, Crossref Metadata Search);
 * 4–5. a client in `clients` → its label (`crossref`, `datacite`, or one from `--clients`);
 * 6. any other client (or no source) → `member`.
 *
 * @example
 * ```ts
 * classOf("0000-0002-1825-0097", { kind: "client", id: CROSSREF_CLIENT, name: "Crossref", originId: null, originName: null });
 * // "crossref"
 * ```
 */
export function classOf(
  orcid: string,
  source: ItemSource | null,
  clients: ReadonlyMap<string, string> = DEFAULT_CLIENT_LABELS,
): string {
  if (source === null) return "member";
  if (source.kind === "orcid") return source.id === orcid ? "self" : "other-person";
  if (source.originId === orcid) return "self-via-member";
  return (source.id !== null && clients.get(source.id)) || "member";
}
