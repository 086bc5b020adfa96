/** The `--clients FILE` table: more client ids whose links get a class of their own. */
import { DEFAULT_CLIENT_LABELS } from "@orcid-sync/core";

/** Thrown by {@linkcode parseClientLabels} for a line that is not `id,label`. */
export class ClientTableError extends SyntaxError {
  override name = "ClientTableError";
}

/**
 * Reads a client table, CSV `id,label` one a line: blank lines, `#` comments and a header
 * `id,label` are skipped; the labels are added to `base` (a later row wins). The result is the
 * `clients` argument of core's `classOf`.
 *
 * @example
 * ```ts
 * parseClientLabels("id,label\n0000-0003-0902-4386,scopus\n").get("0000-0003-0902-4386"); // "scopus"
 * ```
 */
export function parseClientLabels(
  text: string,
  base: ReadonlyMap<string, string> = DEFAULT_CLIENT_LABELS,
): Map<string, string> {
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
