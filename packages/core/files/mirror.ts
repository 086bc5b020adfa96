/**
 * The one owner of a mirror folder: every read, write and delete the tools make in a mirror goes
 * through here. A key becomes a path only through `parseKey` (checked against the record's iD and
 * kind); folders are checked to be real folders (never symlinks); "the file equals the object" is
 * {@linkcode compareFile}'s rule; writes are atomic; and a dry run is decided here alone: it changes
 * nothing, but remembers what it would have written and deleted, so everything above it reports
 * exactly what a real run does.
 */
import { lstatSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { activitiesFolder, isActivityType, mirrorPath, parseKey, type RecordKind } from "../orcid/mod.ts";
import { atomicWrite } from "./atomic_write.ts";
import { DryRunChanges } from "./dry_run_changes.ts";
import { isTempName } from "./temp_files.ts";
import { MirrorFolders } from "./mirror_folders.ts";
import { type Comparison, compareFile, type ObjectFacts, setModified } from "./same_object.ts";

/** Options for {@linkcode Mirror}. */
export interface MirrorOptions {
  /** Change nothing; report what would change. Default false. */
  readonly dryRun?: boolean;
  /** fsync each file and its folder before a write counts as done. Default false. */
  readonly fsync?: boolean;
  /** Throw a {@linkcode DeleteLimitError} before the run deletes more than this many files. Default: no limit. */
  readonly maxDelete?: number;
  /** Remove dead writers' temp files from folders the run touches. Default: not a dry run. */
  readonly sweep?: boolean;
  /**
   * This process alone changes the mirror (it holds the mirror lock, and compares and files through
   * this one Mirror): a folder found missing is not looked for again until this Mirror makes it.
   * Default false.
   */
  readonly sole?: boolean;
  /**
   * On an MD5 match with another mtime, give the file the object's LastModified (only a holder of
   * the mirror lock should). Default: not a dry run.
   */
  readonly retime?: boolean;
}

/**
 * How a read looks at a mirror's folders. `sweep: false` is a look before a download (orcid-fetch's
 * compare): it checks the folders but leaves dead writers' temp files to the write or touch that
 * files the object, so one Mirror can serve both and each folder is walked once. Default: sweep
 * (when the mirror sweeps at all).
 */
export interface Look {
  readonly sweep?: boolean;
}

/** A prune that would take the run's deletions past `maxDelete`: nothing of it was deleted. */
export class DeleteLimitError extends Error {
  override name = "DeleteLimitError";
}

/** A record naming an object of one iD. */
export interface KeyOf {
  readonly key: string;
  readonly orcid: string;
  readonly kind: RecordKind;
}

/**
 * The path of a record's key in a mirror (`summaries/…` or `activities/…`), through `parseKey`,
 * after checking that the key holds the record's iD and kind. Throws {@linkcode InvalidKeyError}.
 *
 * @example
 * ```ts
 * keyPath({ key: "097/0000-0002-1825-0097.xml", orcid: "0000-0002-1825-0097", kind: "summary" });
 * // "summaries/097/0000-0002-1825-0097.xml"
 * ```
 */
export function keyPath(record: KeyOf): string {
  return mirrorPath(record.kind, record.key, record.orcid);
}

/**
 * One mirror folder and what a run does to it.
 *
 * @example
 * ```ts
 * const mirror = new Mirror("/data/ORCID_public_data_files", { dryRun: true });
 * const path = mirror.pathOf(record);
 * if (mirror.compare(path, record).kind !== "same") await mirror.write(path, body, { mtime });
 * ```
 */
export class Mirror {
  readonly root: string;
  readonly dryRun: boolean;
  readonly #options: MirrorOptions;
  readonly #folders: MirrorFolders;
  // Only a dry run fills this: activity files it would have deleted (gone for a later compare or
  // prune) and written (there for a later prune).
  readonly #dryRunChanges = new DryRunChanges();
  // <last3> folders in which a prune removed an iD's folder: removed by finish() if empty.
  readonly #emptied = new Set<string>();
  #deletions = 0;

  constructor(root: string, options: MirrorOptions = {}) {
    this.root = resolve(root);
    this.dryRun = options.dryRun ?? false;
    this.#options = options;
    this.#folders = new MirrorFolders(root, {
      dryRun: this.dryRun,
      sweep: options.sweep ?? !this.dryRun,
      sole: options.sole ?? false,
      // What a prune reads: an iD's activities folder and its type folders.
      listsKept: isActivityFolder,
    });
  }

  /** Temp files of dead writers removed so far. */
  get orphansRemoved(): number {
    return this.#folders.orphansRemoved;
  }

  /** {@linkcode keyPath}: the record's checked path in the mirror. */
  pathOf(record: KeyOf): string {
    return keyPath(record);
  }

  /**
   * The absolute path of a mirror path whose folders exist and are real; undefined if one is
   * missing. `sweep: false` checks the folders without sweeping them (see {@linkcode Look}).
   */
  existing(path: string, look: Look = {}): string | undefined {
    const slash = path.lastIndexOf("/");
    const folder = this.#folders.existing(path.slice(0, slash), look);
    return folder === undefined ? undefined : `${folder}${path.slice(slash)}`;
  }

  /**
   * Compares the file at a mirror path with a listed object by the one rule; on an MD5 match with
   * another mtime the file takes LastModified (not in a dry run). A file a dry run would have
   * deleted is absent.
   */
  compare(path: string, listed: ObjectFacts, look: Look = {}): Comparison {
    if (this.#dryRunChanges.isDeleted(path)) return { kind: "absent" };
    const absolute = this.existing(path, look);
    if (absolute === undefined) return { kind: "absent" };
    return compareFile(absolute, listed, { touch: !this.dryRun && (this.#options.retime ?? true) });
  }

  /**
   * Gives the regular file at a mirror path the mtime `lastModified` (an unchanged record's, whose
   * MD5 proved it); nothing in a dry run, for a missing file or for one that is no regular file.
   */
  retime(path: string, lastModified: string): void {
    if (this.dryRun) return;
    const absolute = this.existing(path);
    if (absolute === undefined || !lstatSync(absolute, { throwIfNoEntry: false })?.isFile()) return;
    setModified(absolute, lastModified);
  }

  /** Writes a file atomically, making its folders; in a dry run only notes it. */
  async write(path: string, body: Uint8Array, options: { readonly mtime?: Date } = {}): Promise<void> {
    const folder = this.#folders.ensure(dirname(path));
    if (this.dryRun) {
      if (path.startsWith("activities/"))
        this.#dryRunChanges.wrote(parseKey(path.slice("activities/".length)).orcid, path);
      return;
    }
    // `folder` is already joined and normalised; the name has no slash.
    const slash = path.lastIndexOf("/");
    const target = `${folder}${path.slice(slash)}`;
    await atomicWrite(target, body, {
      fsync: this.#options.fsync ?? false,
      ...(options.mtime ? { mtime: options.mtime } : {}),
    });
    this.#folders.added(path.slice(0, slash), path.slice(slash + 1));
  }

  /** Checks (and sweeps) the folder of a mirror path without writing: for an object already there. */
  touchFolder(path: string): void {
    this.#folders.existing(dirname(path));
  }

  /**
   * The files in an iD's activity folders (`activities/<last3>/<iD>/<type>/<name>`), temp files left
   * out; with `wellFormed`, only files whose name is a key of this iD. In a dry run: as the run would
   * have left them.
   */
  activityFiles(orcid: string, options: { readonly wellFormed?: boolean } = {}): string[] {
    const base = activitiesFolder(orcid);
    const found: string[] = [];
    const absolute = this.#folders.existing(base);
    if (absolute) {
      for (const type of this.#folders.list(base, absolute)) {
        if (!isActivityType(type)) continue;
        const typeFolder = this.#folders.existing(`${base}/${type}`);
        if (!typeFolder) continue;
        for (const name of this.#folders.list(`${base}/${type}`, typeFolder)) {
          const path = `${base}/${type}/${name}`;
          if (isTempName(name) || this.#dryRunChanges.isDeleted(path)) continue;
          if (options.wellFormed && !isKeyOf(path, orcid)) continue;
          found.push(path);
        }
      }
    }
    for (const path of this.#dryRunChanges.written(orcid)) if (!found.includes(path)) found.push(path);
    return found;
  }

  /** The names of the files in a summaries `<last3>` folder, temp files left out. */
  summaryFiles(folder: string): string[] {
    let names: string[];
    try {
      names = readdirSync(join(this.root, "summaries", folder));
    } catch {
      return [];
    }
    return names.filter((name) => !isTempName(name));
  }

  /**
   * Deletes the iD's well-formed activity files not in `keep` (all of them for an empty set), then
   * the iD's folders left empty; returns the deleted paths. Throws a {@linkcode DeleteLimitError},
   * before deleting anything, when the run would pass `maxDelete`.
   */
  prune(orcid: string, keep: ReadonlySet<string>): string[] {
    const doomed = this.activityFiles(orcid, { wellFormed: true }).filter((path) => !keep.has(path));
    // An iD's manifest comes once, after its keys: the listings kept for its prune are done with.
    this.#folders.release(activitiesFolder(orcid));
    if (doomed.length === 0) return [];
    const { maxDelete } = this.#options;
    if (maxDelete !== undefined && this.#deletions + doomed.length > maxDelete) {
      throw new DeleteLimitError(
        `Refusing to delete more than ${maxDelete} files (--max-delete): ${orcid} would take the count to ${this.#deletions + doomed.length}; check the listing, or raise the limit`,
      );
    }
    this.#deletions += doomed.length;
    for (const path of doomed) this.#delete(orcid, path);
    if (!this.dryRun) {
      const base = activitiesFolder(orcid);
      // Only the iD's own folders: the <last3> folder above is shared with other iDs being written.
      for (const folder of [...new Set(doomed.map((p) => dirname(p))), base]) this.#removeFolder(folder);
      this.#emptied.add(dirname(base));
    }
    return doomed;
  }

  /** Removes the `<last3>` folders a prune emptied; call when no write of the run can be making a folder. */
  finish(): void {
    for (const folder of this.#emptied) this.#removeFolder(folder);
    this.#emptied.clear();
  }

  #delete(orcid: string, path: string): void {
    if (this.dryRun) {
      this.#dryRunChanges.deleted(orcid, path);
      return;
    }
    const absolute = join(this.root, path);
    const info = lstatSync(absolute);
    if (info.isFile() || info.isSymbolicLink()) unlinkSync(absolute);
    this.#folders.removed(dirname(path), path.slice(path.lastIndexOf("/") + 1));
  }

  /** Removes a folder if it is empty. */
  #removeFolder(folder: string): void {
    try {
      rmdirSync(join(this.root, folder));
      this.#folders.forget(folder);
    } catch {
      // not empty, or gone
    }
  }
}

/** Whether a mirror folder is an iD's activities folder (`activities/<last3>/<iD>`) or one below it. */
function isActivityFolder(relative: string): boolean {
  return relative.startsWith("activities/") && relative.indexOf("/", "activities/".length) > 0;
}

/** Whether `activities/<key>` is a well-formed key of `orcid`. */
function isKeyOf(path: string, orcid: string): boolean {
  try {
    return parseKey(path.slice("activities/".length)).orcid === orcid;
  } catch {
    return false;
  }
}
