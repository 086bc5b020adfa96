/**
 * The folders of a mirror, checked before anything is written or deleted in them: every component
 * below the mirror root must be a real folder, never a symlink, so nothing is ever written or
 * deleted outside the mirror. The first time a run touches a folder, it removes temp files there
 * whose writer is gone (a kill -9 leaves them); other folders are never scanned. The calls are
 * synchronous, like the file writes (see atomicWrite): a folder is checked once per run, or, below
 * the `<last3>` level, once while it is remembered (a bounded number).
 */
import { lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isTempName, removeIfOrphanedTemp } from "./temp_files.ts";

/** A path in the mirror that is a symlink or not a folder where a folder must be. */
export class UnsafePathError extends Error {
  override name = "UnsafePathError";
  readonly code = "UnsafePath";
}

/** Options for {@linkcode MirrorFolders}. */
export interface MirrorFoldersOptions {
  /** Make no folder. Default false. */
  readonly dryRun?: boolean;
  /** Remove temp files of dead writers from each folder touched. Default: not a dry run. */
  readonly sweep?: boolean;
  /**
   * This process is the mirror's only writer (it holds the mirror lock): a folder a look found
   * missing stays missing until this process makes it, and is not looked for again. Default false.
   */
  readonly sole?: boolean;
  /**
   * With `sole`: the folders whose listing this run keeps as it makes them and writes in them (see
   * {@linkcode MirrorFolders.list}). Default: none.
   */
  readonly listsKept?: (relative: string) => boolean;
}

/**
 * Folders remembered (checked, swept, missing) at most before those below the `<last3>` level are
 * forgotten: a run over every iD would otherwise remember tens of millions. A forgotten folder is
 * checked (and swept) again when next used; an iD's folders are used while its records pass.
 */
const FOLDERS_REMEMBERED = 10_000;

/** Names kept for the listings of made folders at most: past it, a folder is listed from the disk. */
const KEPT_NAMES_LIMIT = 20_000;

/** Checked access to the folders of one mirror. */
export class MirrorFolders {
  readonly root: string;
  readonly #dryRun: boolean;
  readonly #sweep: boolean;
  readonly #sole: boolean;
  readonly #checked = new Set<string>();
  // Checked folders whose dead writers' temp files are gone: a look that does not sweep checks a
  // folder without sweeping it, and the first write or touch there sweeps it then.
  readonly #swept = new Set<string>();
  // Folders found missing by a look, when this process is the mirror's only writer: missing until it makes them.
  readonly #absent = new Set<string>();
  // The absolute path of each checked folder, joined once.
  readonly #absolute = new Map<string, string>();
  // Folders this run made (empty then) and the names it has put in them since: the only writer
  // knows their listing without reading it. Kept for the folders `listsKept` names, until released.
  readonly #kept = new Map<string, Set<string>>();
  readonly #listsKept: ((relative: string) => boolean) | undefined;
  #keptNames = 0;
  #orphansRemoved = 0;
  #rootMade = false;

  /**
   * `root` is an absolute path, resolved if it exists (the mirror itself may be a symlink); a root
   * that does not exist yet is made with the first folder, so a run that writes nothing leaves
   * nothing behind. A dry run makes nothing; `sweep` (default: not a dry run) removes dead writers'
   * temp files from each folder the run touches.
   */
  constructor(root: string, options: MirrorFoldersOptions = {}) {
    this.root = root;
    this.#dryRun = options.dryRun ?? false;
    this.#sweep = options.sweep ?? !this.#dryRun;
    this.#sole = options.sole ?? false;
    this.#listsKept = this.#sole && !this.#dryRun ? options.listsKept : undefined;
  }

  /** Temp files of dead writers removed so far. */
  get orphansRemoved(): number {
    return this.#orphansRemoved;
  }

  /** Makes `relative` (`activities/097/<iD>/works`) exist, component by component; returns its absolute path. */
  ensure(relative: string): string {
    return this.#walk(relative, true, this.#sweep)!;
  }

  /**
   * The absolute path of `relative` if every component exists as a real folder; undefined if one is
   * missing. With `sweep: false` (a look before a download), the folders are checked but not swept.
   */
  existing(relative: string, options: { readonly sweep?: boolean } = {}): string | undefined {
    return this.#walk(relative, false, this.#sweep && (options.sweep ?? true));
  }

  /**
   * The names in a folder that exists (`absolute` is its path): temp files included, as on the disk.
   * A folder this run made and still keeps the listing of is not read.
   */
  list(relative: string, absolute: string): string[] {
    const kept = this.#kept.get(relative);
    return kept ? [...kept] : readdirSync(absolute);
  }

  /** Notes a file this run put in a folder (for a kept listing). */
  added(folder: string, name: string): void {
    const kept = this.#kept.get(folder);
    if (!kept || kept.has(name)) return;
    if (this.#keptNames >= KEPT_NAMES_LIMIT) this.#drop(folder);
    else {
      kept.add(name);
      this.#keptNames++;
    }
  }

  /** Notes a file this run removed from a folder (for a kept listing). */
  removed(folder: string, name: string): void {
    if (this.#kept.get(folder)?.delete(name)) this.#keptNames--;
  }

  /** Stops keeping the listings of a folder and of the folders it made below it: they are read when next asked for. */
  release(relative: string): void {
    const kept = this.#kept.get(relative);
    if (!kept) return;
    this.#drop(relative);
    for (const name of kept) this.release(`${relative}/${name}`);
  }

  #drop(relative: string): void {
    const kept = this.#kept.get(relative);
    if (!kept) return;
    // The folder's own entry counts as a name.
    this.#keptNames -= kept.size + 1;
    this.#kept.delete(relative);
  }

  #made(relative: string): void {
    if (!this.#listsKept) return;
    const slash = relative.lastIndexOf("/");
    if (slash > 0) this.added(relative.slice(0, slash), relative.slice(slash + 1));
    if (this.#keptNames < KEPT_NAMES_LIMIT && this.#listsKept(relative)) {
      this.#kept.set(relative, new Set());
      this.#keptNames++;
    }
  }

  /** Forgets a folder (and what is below it) that was removed, so it is checked and made again. */
  forget(relative: string): void {
    this.release(relative);
    const slash = relative.lastIndexOf("/");
    if (slash > 0) this.removed(relative.slice(0, slash), relative.slice(slash + 1));
    for (const folder of this.#checked) {
      if (folder === relative || folder.startsWith(`${relative}/`)) {
        this.#checked.delete(folder);
        this.#swept.delete(folder);
      }
    }
  }

  #walk(relative: string, create: boolean, sweep: boolean): string | undefined {
    if (this.#absolute.size > FOLDERS_REMEMBERED) this.#forgetDeep();
    // A folder is checked (and swept) with every component above it, so the leaf answers for all.
    if (sweep ? this.#swept.has(relative) : this.#checked.has(relative)) return this.#absoluteOf(relative);
    if (create) this.#absent.delete(relative);
    else if (this.#absent.has(relative)) return undefined;
    if (create && !this.#dryRun && !this.#rootMade) {
      mkdirSync(this.root, { recursive: true });
      this.#rootMade = true;
    }
    let current = "";
    for (const part of relative.split("/")) {
      current = current ? `${current}/${part}` : part;
      if (!create && this.#absent.has(current)) return undefined;
      if (this.#checked.has(current)) {
        if (sweep && !this.#swept.has(current)) this.#sweepFolder(current, this.#absoluteOf(current));
        continue;
      }
      const absolute = this.#absoluteOf(current);
      let created = false;
      if (create) this.#absent.delete(current);
      if (create && !this.#dryRun) {
        // Try to make it first: a folder we just made is real and empty, so it needs no check and no sweep.
        try {
          mkdirSync(absolute);
          created = true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
      }
      if (created) {
        this.#swept.add(current);
        this.#made(current);
      } else {
        // Missing is the common answer before a download: no exception is made for it.
        // (One that mkdir found but that is gone since: the second lstat throws its ENOENT.)
        const info =
          lstatSync(absolute, { throwIfNoEntry: false }) ?? (create && !this.#dryRun ? lstatSync(absolute) : undefined);
        if (info === undefined) {
          if (create) return join(this.root, relative);
          if (this.#sole) {
            // The folder asked for is missing with it: the next look for it stops at once.
            this.#absent.add(current);
            this.#absent.add(relative);
          }
          return undefined;
        }
        if (info.isSymbolicLink())
          throw new UnsafePathError(`Refusing to use '${current}' in the mirror: it is a symlink`);
        if (!info.isDirectory())
          throw new UnsafePathError(`Refusing to use '${current}' in the mirror: it is not a folder`);
        if (sweep) this.#sweepFolder(current, absolute);
      }
      this.#checked.add(current);
    }
    return this.#absoluteOf(relative);
  }

  /** Forgets the folders below the `<last3>` level (two slashes or more), which are many and used a short while. */
  #forgetDeep(): void {
    const deep = (folder: string) => folder.indexOf("/", folder.indexOf("/") + 1) > 0;
    for (const folders of [this.#checked, this.#swept, this.#absent])
      for (const folder of folders) if (deep(folder)) folders.delete(folder);
    for (const folder of this.#absolute.keys()) if (deep(folder)) this.#absolute.delete(folder);
  }

  /** Folders remembered now (for tests of the bound). */
  get remembered(): number {
    return this.#absolute.size;
  }

  #absoluteOf(relative: string): string {
    let absolute = this.#absolute.get(relative);
    if (absolute === undefined) {
      absolute = join(this.root, relative);
      this.#absolute.set(relative, absolute);
    }
    return absolute;
  }

  #sweepFolder(relative: string, absolute: string): void {
    this.#removeOrphans(absolute);
    this.#swept.add(relative);
  }

  #removeOrphans(folder: string): void {
    for (const name of readdirSync(folder)) {
      if (isTempName(name) && removeIfOrphanedTemp(join(folder, name))) this.#orphansRemoved++;
    }
  }
}
