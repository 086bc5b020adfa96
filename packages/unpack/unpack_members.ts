/**
 * orcid-unpack's library: the members of a .tar or .tar.gz archive, one at a time, as the objects
 * they hold (or an error record for a member that is not an ORCID key).
 */
import { Readable } from "node:stream";
import { type ErrorRecord, errorRecord, FatalError, InvalidKeyError, type ObjectRef } from "@orcid-sync/core";
import type { BucketLayout } from "@orcid-sync/core";
import { type Extract, extract } from "tar-stream";
import { memberRef } from "./member_key.ts";
import { type MemberFilter, memberWanted } from "./member_filter.ts";
import { DamagedArchiveError, newArchivePosition, NotAnArchiveError, tarBytes } from "./tar_bytes.ts";

const TOOL = "orcid-unpack";

/** A member as tar-stream gives it: header, data, and the offset of its header in the tar stream. */
type Entry = Extract extends AsyncIterable<infer Source> ? Source : never;

/** How to unpack. */
export interface UnpackOptions {
  /** The bucket names the objects are given, as orcid-list's. */
  readonly layout: BucketLayout;
  readonly filter?: MemberFilter;
  /**
   * Whether members that are not ORCID keys yield error records. Default true; shards other than
   * the first pass false, so N shards of one archive report each such member once.
   */
  readonly reportInvalid?: boolean;
  /** Largest member read, in bytes; a larger one is an error record. Default 256 MiB. */
  readonly maxMemberBytes?: number;
  /** The archive's name in messages. Default `stdin`. */
  readonly source?: string;
}

/** Counts for progress and the summary line. */
export interface UnpackStats {
  /** Members read, folders and skipped ones included. */
  members: number;
  /** Folder entries (no record). */
  folders: number;
  /** ORCID members left out by --only, --ids or --shard. */
  skipped: number;
  /** Objects yielded. */
  objects: number;
  /** Their bytes. */
  bytes: number;
  /** Error records yielded. */
  errors: number;
  /** The newest mtime of the objects yielded (set it to undefined to start over for the next archive). */
  newest: Date | undefined;
  /** Bytes of the tar stream read so far (after inflating). */
  tarBytes: number;
}

/** Fresh counters. */
export function newUnpackStats(): UnpackStats {
  return { members: 0, folders: 0, skipped: 0, objects: 0, bytes: 0, errors: 0, newest: undefined, tarBytes: 0 };
}

/** A member that holds an object: its bytes and mtime, for `encodeObjectLine` or `objectRecord`. */
export interface UnpackedObject {
  readonly type: "member";
  readonly ref: ObjectRef;
  readonly bytes: Buffer;
  readonly mtime: Date;
}

/**
 * Reads an archive (a .tar, or a .tar.gz told by its magic bytes) and yields, in archive order, an
 * {@linkcode UnpackedObject} for each member whose name ends in an ORCID key and an error record for
 * each other file (folders are skipped). One member is held at a time. Throws a FatalError naming the
 * member and offset when the archive is cut short or corrupt (after yielding what came before), and
 * when the input is not an archive at all.
 *
 * @example
 * ```ts
 * for await (const item of unpackMembers(createReadStream(file), { layout: DEFAULT_LAYOUT }, stats)) …
 * ```
 */
export async function* unpackMembers(
  input: AsyncIterable<Uint8Array>,
  options: UnpackOptions,
  stats: UnpackStats = newUnpackStats(),
): AsyncGenerator<UnpackedObject | ErrorRecord> {
  const source = options.source ?? "stdin";
  const maxMemberBytes = options.maxMemberBytes ?? 256 * 1024 * 1024;
  const position = newArchivePosition();
  const bytes = Readable.from(tarBytes(input, position), { objectMode: false });
  // Old (v7) headers, with no format magic, are read too; their checksum is what tells a header.
  const tar = extract({ allowUnknownFormat: true } as Parameters<typeof extract>[0]);
  bytes.on("error", (error) => tar.destroy(error));
  bytes.pipe(tar);
  const tarAtStart = stats.tarBytes;
  // Where the reading is, for a message about damage: the member being read, or the last one read.
  let current: { name: string; offset: number } | undefined;
  let done: string | undefined;
  const invalid = (message: string): ErrorRecord => {
    stats.errors++;
    return errorRecord({ tool: TOOL, op: "unpack", message: `${source}: ${message}`, code: "InvalidKey" });
  };
  try {
    for await (const entry of tar) {
      const { header } = entry;
      stats.members++;
      current = { name: header.name, offset: entry.offset };
      const item = await readMember(entry);
      done = header.name;
      current = undefined;
      stats.tarBytes = tarAtStart + position.tarBytes;
      if (item) yield item;
    }
  } catch (error) {
    if (error instanceof NotAnArchiveError)
      throw new FatalError(`Cannot read ${source}: ${error.message.replace(/^Cannot read the archive: /, "")}`);
    // The file itself cannot be read (missing, a folder, no permission).
    if ((error as NodeJS.ErrnoException).syscall)
      throw new FatalError(`Cannot read ${source}: ${(error as Error).message}`, { cause: error });
    const where = current
      ? `in member '${current.name}' (its header at byte ${current.offset} of the tar stream`
      : done
        ? `after member '${done}' (read to byte ${position.tarBytes} of the tar stream`
        : `before its first member (read to byte ${position.tarBytes} of the tar stream`;
    const input = position.gzip ? `, byte ${position.inputBytes} of the compressed file` : "";
    const what =
      error instanceof DamagedArchiveError
        ? error.message
        : `the tar data is cut short or corrupt (${(error as Error).message})`;
    throw new FatalError(`Cannot read ${source}: ${what}, ${where}${input})`, { cause: error });
  } finally {
    bytes.destroy();
    tar.destroy();
  }

  async function readMember(entry: Entry): Promise<UnpackedObject | ErrorRecord | undefined> {
    const { header } = entry;
    if (header.type === "directory") {
      stats.folders++;
      entry.resume();
      return undefined;
    }
    let ref: ObjectRef;
    try {
      if (header.type !== "file" && header.type !== "contiguous-file") {
        throw new InvalidKeyError(`Invalid member: '${header.name}' is a ${header.type ?? "special file"}, not a file`);
      }
      ref = memberRef(header.name, options.layout);
    } catch (error) {
      entry.resume();
      if (!(error instanceof InvalidKeyError)) throw error;
      return options.reportInvalid === false ? undefined : invalid(error.message);
    }
    const size = header.size ?? 0;
    if (!memberWanted(ref, options.filter ?? {})) {
      stats.skipped++;
      entry.resume();
      return undefined;
    }
    if (size > maxMemberBytes) {
      entry.resume();
      return {
        ...invalid(`member '${header.name}' has ${size} bytes, more than the ${maxMemberBytes} a record may hold`),
        code: "TooLarge",
        bucket: ref.bucket,
        key: ref.key,
        orcid: ref.orcid,
      };
    }
    // One buffer of the size the header gives, filled as the member's data arrives.
    const bytes = Buffer.allocUnsafe(size);
    let filled = 0;
    for await (const chunk of entry) {
      (chunk as Buffer).copy(bytes, filled);
      filled += (chunk as Buffer).length;
    }
    const mtime = memberTime(entry);
    stats.objects++;
    stats.bytes += size;
    if (!stats.newest || mtime > stats.newest) stats.newest = mtime;
    return { type: "member", ref, bytes: filled === size ? bytes : bytes.subarray(0, filled), mtime };
  }
}

/** A member's mtime: the pax header's, with its fraction, when there is one; else whole seconds. */
function memberTime(entry: Entry): Date {
  const pax = (entry.header.pax as Record<string, string> | null | undefined)?.mtime;
  if (pax && /^\d+(\.\d+)?$/.test(pax)) return new Date(Math.floor(Number(pax) * 1000));
  return entry.header.mtime ?? new Date(0);
}
