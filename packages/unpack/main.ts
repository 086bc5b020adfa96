/** The orcid-unpack command line. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { asUsage, ExitCode, isValidOrcidId, packageVersion, runMain, UsageError } from "@orcid-sync/core";
import { type BucketLayout, DEFAULT_LAYOUT, parseShard } from "@orcid-sync/core";
import type { MemberFilter } from "./member_filter.ts";
import { encodeObjectLine } from "./object_line.ts";
import { newUnpackStats, unpackMembers } from "./unpack_members.ts";

interface UnpackArgs {
  readonly inputs?: string[];
  readonly only?: "summaries" | "activities";
  readonly ids?: string;
  readonly shard?: string;
  readonly summariesBucket: string;
  readonly activitiesBucketBase: string;
  readonly activitiesBucket?: string;
}

/** The iDs of a file, one a line (blank lines and `#` comments skipped), and the lines refused. */
async function readIds(input: Readable): Promise<{ ids: Set<string>; invalid: string[] }> {
  const ids = new Set<string>();
  const invalid: string[] = [];
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    const id = text.trim();
    if (id.length === 0 || id.startsWith("#")) continue;
    if (isValidOrcidId(id)) ids.add(id);
    else invalid.push(`line ${line}: ${id.slice(0, 60)}`);
  }
  return { ids, invalid };
}

await runMain<UnpackArgs>({
  name: "orcid-unpack",
  version: packageVersion(import.meta.url),
  usage:
    "$0 [options] [archive ...]\n\nRead .tar.gz or .tar archives (ORCID's yearly public data files, or orcid-pack's; - or none is stdin) and emit an object record for each member, as orcid-fetch would for its key: the body as UTF-8 text (or base64), etag its MD5, size, lastModified the member's mtime. Members that are not ORCID keys become error records; folders are skipped.",
  examples: [
    [
      "orcid-unpack ORCID_2025_10_summaries.tar.gz | orcid-place ./ORCID_public_data_files",
      "1. seed a mirror from the yearly summaries file",
    ],
    [
      "orcid-unpack ORCID_2025_10_activities_*.tar.gz | orcid-place ./ORCID_public_data_files",
      "2. the eleven activities archives, one after another",
    ],
    [
      "curl -s https://…/ORCID_2025_10_summaries.tar.gz | orcid-unpack - --shard 2/4 | orcid-place ./data",
      "3. the second of four hosts, as the file downloads",
    ],
    [
      "orcid-unpack week.tar.gz --ids ids.txt | jq -r 'select(.type==\"object\") | .body'",
      "4. a few records of an archive",
    ],
  ],
  epilog:
    "gzip is told by the file's first bytes, not its name. Members are matched by the end of their names — <last3>/<iD>.xml or <last3>/<iD>/<type>/<iD>_<type>_<put-code>.xml — under any folders (ORCID_2025_10_summaries/, ORCID_2025_10_activities_7/, summaries/ …), and given the bucket orcid-list would list them from. One member is held at a time (at most 256 MiB; a larger one is an error record), so memory does not grow with the archive. The summary on stderr ends with the newest member mtime (with several archives, the oldest of their newest): the cutoff for the first sync after seeding (README: why, and what overlap to add). A truncated or corrupt archive: the records before the damage, then exit 3 naming the member and offset. Exit 1 when any member was not an ORCID key.",
  options: (argv) =>
    argv
      .command("$0 [inputs..]", false, (y) =>
        y.positional("inputs", {
          type: "string",
          array: true,
          describe: "Archives to read in turn (- is stdin; default stdin)",
        }),
      )
      .option("only", {
        type: "string",
        choices: ["summaries", "activities"],
        describe: "Emit summaries or activities alone",
      })
      .option("ids", {
        type: "string",
        nargs: 1,
        describe: "Emit these iDs alone: a file of iDs, one a line (- for stdin)",
      })
      .option("shard", {
        type: "string",
        describe: "Only folders of shard K of N (K/N), the partition orcid-list --shard uses",
      })
      .option("summaries-bucket", {
        type: "string",
        default: DEFAULT_LAYOUT.summaries,
        describe: "Bucket of the summaries (the reference's -x)",
      })
      .option("activities-bucket-base", {
        type: "string",
        default: DEFAULT_LAYOUT.activitiesBase,
        describe: "Base of the -a/-b/-c activities buckets (the reference's -y)",
      })
      .option("activities-bucket", {
        type: "string",
        describe: "One unsplit activities bucket (the v2.0 generation)",
      }) as never,
  main: async (args, ctx) => {
    const inputs = args.inputs?.length ? args.inputs : ["-"];
    if (inputs.filter((input) => input === "-").length > 1) throw new UsageError("stdin (-) can be read once");
    if (args.ids === "-" && inputs.includes("-"))
      throw new UsageError("--ids - and an archive on stdin cannot share stdin");
    const shard = args.shard === undefined ? undefined : asUsage(() => parseShard(args.shard!), "--shard");
    const layout: BucketLayout = {
      ...DEFAULT_LAYOUT,
      summaries: args.summariesBucket,
      activitiesBase: args.activitiesBucketBase,
      ...(args.activitiesBucket ? { activitiesSingle: args.activitiesBucket } : {}),
    };
    let ids: Set<string> | undefined;
    if (args.ids !== undefined) {
      const read = await readIds(args.ids === "-" ? ctx.stdin : createReadStream(args.ids)).catch((error: Error) => {
        throw new UsageError(`--ids: ${error.message}`);
      });
      if (read.invalid.length > 0)
        ctx.log.warn(
          `--ids: skipped ${read.invalid.length} line(s) that are not valid iDs, e.g. ${read.invalid.slice(0, 3).join("; ")}`,
        );
      ids = read.ids;
    }
    const filter: MemberFilter = {
      ...(args.only ? { only: args.only } : {}),
      ...(ids ? { ids } : {}),
      ...(shard ? { shard } : {}),
    };
    const stats = newUnpackStats();
    const started = performance.now();
    const rate = () => (stats.tarBytes / 1e6 / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(1);
    ctx.progress.start(
      () =>
        `${stats.members} members, ${(stats.tarBytes / 1e6).toFixed(0)} MB read (${rate()} MB/s), ${stats.objects} objects, ${stats.errors} errors`,
    );
    // Each archive is a snapshot of its own: the cutoff is the oldest of their newest mtimes, so a
    // change made after any one of them was taken is still ahead of the first sync.
    let cutoff: Date | undefined;
    for (const input of inputs) {
      const stream = input === "-" ? ctx.stdin : createReadStream(input, { highWaterMark: 1024 * 1024 });
      const source = input === "-" ? "stdin" : input;
      // Only the first shard reports members that are not ORCID keys: N shards report each once.
      const options = { layout, filter, source, reportInvalid: !shard || shard.index === 1 };
      const objectsBefore = stats.objects;
      stats.newest = undefined;
      for await (const item of unpackMembers(stream, options, stats)) {
        if (item.type === "member") await ctx.out.writeEncoded(encodeObjectLine(item.ref, item.bytes, item.mtime), 1);
        else await ctx.out.write(item);
      }
      // (The loop above moved it: TypeScript keeps the undefined it was set to.)
      const newest = stats.newest as Date | undefined;
      if (inputs.length > 1)
        ctx.log.info(
          `${source}: ${stats.objects - objectsBefore} records, newest member mtime ${newest?.toISOString() ?? "none"}`,
        );
      if (newest && (!cutoff || newest < cutoff)) cutoff = newest;
    }
    const skipped = stats.skipped ? `, ${stats.skipped} skipped by --only/--ids/--shard` : "";
    const newest = `${inputs.length > 1 ? "the oldest archive's " : ""}newest member mtime ${cutoff?.toISOString() ?? "none"}`;
    ctx.summary(
      `${stats.members} members read (${stats.folders} folders${skipped}), ${stats.objects} records emitted (${(stats.bytes / 1e6).toFixed(1)} MB), ${stats.errors} errors; ${newest} (the cutoff for the first sync)`,
    );
    return stats.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
  },
});
