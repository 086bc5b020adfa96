/** Who asserted an item: the `source` of a summary and the `class` of a link. */

/** An item's `common:source`, as the records carry it. */
export interface Source {
  /** `orcid` for a `source-orcid` (a person, or a legacy client), `client` for a `source-client-id`; null if neither. */
  readonly kind: "orcid" | "client" | null;
  readonly id: string | null;
  readonly name: string | null;
  /** `assertion-origin-orcid` or `assertion-origin-client-id`: who made the assertion through the source. */
  readonly originId: string | null;
  readonly originName: string | null;
}

/** Crossref's auto-update client. */
export const CROSSREF_CLIENT = "0000-0001-9884-1913";
/** DataCite's client: its auto-update and its search-and-link share this id. */
export const DATACITE_CLIENT = "0000-0001-8099-6984";

/**
 * The built-in client table: client id → the `class` of what that client asserts (rules 4 and 5).
 * `--clients FILE` adds rows (or replaces these).
 */
export const DEFAULT_CLIENT_LABELS: ReadonlyMap<string, string> = new Map([
  [CROSSREF_CLIENT, "crossref"],
  [DATACITE_CLIENT, "datacite"],
]);

/**
 * The provenance class of an item of `orcid`'s record, decided in this order:
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
export function classOf(orcid: string, source: Source | null, clients: ReadonlyMap<string, string> = DEFAULT_CLIENT_LABELS): string {
  if (source === null) return "member";
  if (source.kind === "orcid") return source.id === orcid ? "self" : "other-person";
  if (source.originId === orcid) return "self-via-member";
  return (source.id !== null && clients.get(source.id)) || "member";
}

/** Thrown by {@linkcode parseClientLabels} for a line that is not `id,label`. */
export class ClientTableError extends SyntaxError {
  override name = "ClientTableError";
}

/**
 * Reads a client table, CSV `id,label` one a line: blank lines, `#` comments and a header
 * `id,label` are skipped; the labels are added to `base` (a later row wins).
 *
 * @example
 * ```ts
 * parseClientLabels("id,label\n0000-0003-0902-4386,scopus\n").get("0000-0003-0902-4386"); // "scopus"
 * ```
 */
export function parseClientLabels(text: string, base: ReadonlyMap<string, string> = DEFAULT_CLIENT_LABELS): Map<string, string> {
  const table = new Map(base);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const cells = line.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
    if (i === 0 && cells[0]?.toLowerCase() === "id" && cells[1]?.toLowerCase() === "label") continue;
    if (cells.length !== 2 || !cells[0] || !cells[1]) {
      throw new ClientTableError(`Cannot read client table line ${i + 1}: expected 'id,label' (line: '${line}')`);
    }
    table.set(cells[0], cells[1]);
  }
  return table;
}
