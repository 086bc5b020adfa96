/** What a dry run would have changed in an iD's activities, remembered for a bounded number of iDs. */

/**
 * iDs whose would-be changes a dry run remembers. An iD's records come together in a sync, so a
 * later compare or prune of the same iD finds them; a full mirror's worth would not fit in memory.
 */
export const DRY_RUN_IDS_REMEMBERED = 10_000;

interface Changes {
  readonly written: Set<string>;
  readonly deleted: Set<string>;
}

/**
 * The activity files a dry run would have written and deleted, by iD, for the most recently
 * changed {@linkcode DRY_RUN_IDS_REMEMBERED} iDs: the older ones are forgotten, and a compare or
 * prune of such an iD answers from the disk alone.
 *
 * @example
 * ```ts
 * const changes = new DryRunChanges();
 * changes.wrote(orcid, path);
 * [...changes.written(orcid)]; // [path]
 * ```
 */
export class DryRunChanges {
  readonly #byId = new Map<string, Changes>();
  readonly #limit: number;

  constructor(limit = DRY_RUN_IDS_REMEMBERED) {
    this.#limit = limit;
  }

  /** Notes an activity file the run would have written. */
  wrote(orcid: string, path: string): void {
    const changes = this.#touch(orcid);
    changes.deleted.delete(path);
    changes.written.add(path);
  }

  /** Notes an activity file the run would have deleted. */
  deleted(orcid: string, path: string): void {
    const changes = this.#touch(orcid);
    changes.written.delete(path);
    changes.deleted.add(path);
  }

  /** Whether the run would have deleted the file at an `activities/<last3>/<iD>/…` path. */
  isDeleted(path: string): boolean {
    if (this.#byId.size === 0 || !path.startsWith("activities/")) return false;
    return this.#byId.get(path.split("/", 3)[2]!)?.deleted.has(path) ?? false;
  }

  /** The iD's files the run would have written (and not deleted since). */
  written(orcid: string): Iterable<string> {
    return this.#byId.get(orcid)?.written ?? [];
  }

  /** The iD's changes, made the most recent; the oldest iD's are forgotten past the limit. */
  #touch(orcid: string): Changes {
    let changes = this.#byId.get(orcid);
    if (changes) this.#byId.delete(orcid);
    else changes = { written: new Set(), deleted: new Set() };
    this.#byId.set(orcid, changes);
    if (this.#byId.size > this.#limit) this.#byId.delete(this.#byId.keys().next().value!);
    return changes;
  }
}
