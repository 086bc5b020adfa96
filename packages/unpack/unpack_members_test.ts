import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { type ErrorRecord, FatalError } from "@orcid-sync/core";
import { DEFAULT_LAYOUT } from "@orcid-sync/core";
import { pack } from "tar-stream";
import { describe, expect, test } from "vitest";
import { newUnpackStats, type UnpackedObject, unpackMembers, type UnpackOptions } from "./unpack_members.ts";

const A = "0000-0002-1825-0097";
const X = "0000-0002-7869-831X";
const MTIME = new Date("2025-10-01T08:00:00.000Z");

type Member = {
  name: string;
  body?: string | Buffer;
  type?: "file" | "directory" | "symlink";
  mtime?: Date;
  pax?: Record<string, string>;
};

async function tarOf(members: Member[]): Promise<Buffer> {
  const archive = pack();
  for (const m of members) {
    const header = {
      name: m.name,
      mtime: m.mtime ?? MTIME,
      type: m.type ?? "file",
      ...(m.type === "symlink" ? { linkname: "/etc/passwd" } : {}),
      ...(m.pax ? { pax: m.pax } : {}),
    };
    if (m.type === "directory" || m.type === "symlink") archive.entry(header);
    else archive.entry(header, m.body ?? "");
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function* chunked(bytes: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function unpack(bytes: Buffer, options: Partial<UnpackOptions> = {}) {
  const stats = newUnpackStats();
  const items: (UnpackedObject | ErrorRecord)[] = [];
  let failure: unknown;
  try {
    for await (const item of unpackMembers(
      chunked(bytes),
      { layout: DEFAULT_LAYOUT, source: "test.tar.gz", ...options },
      stats,
    ))
      items.push(item);
  } catch (error) {
    failure = error;
  }
  return { items, stats, failure };
}

const summaryA = { name: `ORCID_2025_10_summaries/097/${A}.xml`, body: "<record a/>" };
const summaryX = {
  name: `ORCID_2025_10_summaries/31X/${X}.xml`,
  body: "<record x/>",
  mtime: new Date("2025-10-02T09:10:11.000Z"),
};
const workA = { name: `ORCID_2025_10_activites_7/097/${A}/works/${A}_works_9.xml`, body: "<work/>" };

describe("unpackMembers()", () => {
  test("yields each ORCID member's object with its bytes and mtime, skips folders, counts and finds the newest mtime", async () => {
    const { items, stats, failure } = await unpack(
      gzipSync(await tarOf([{ name: "ORCID_2025_10_summaries/", type: "directory" }, summaryA, summaryX, workA])),
    );
    expect(failure).toBeUndefined();
    expect(
      items.map(
        (item) =>
          item.type === "member" && [item.ref.bucket, item.ref.key, item.bytes.toString(), item.mtime.toISOString()],
      ),
    ).toEqual([
      ["v3.0-summaries", `097/${A}.xml`, "<record a/>", "2025-10-01T08:00:00.000Z"],
      ["v3.0-summaries", `31X/${X}.xml`, "<record x/>", "2025-10-02T09:10:11.000Z"],
      ["v3.0-activities-b", `097/${A}/works/${A}_works_9.xml`, "<work/>", "2025-10-01T08:00:00.000Z"],
    ]);
    expect(stats).toMatchObject({ members: 4, folders: 1, objects: 3, errors: 0, skipped: 0, bytes: 29 });
    expect(stats.newest?.toISOString()).toBe("2025-10-02T09:10:11.000Z");
  });

  test("takes a pax header's mtime with its fraction", async () => {
    const { items } = await unpack(await tarOf([{ ...summaryA, pax: { mtime: "1759305600.25" } }]));
    expect((items[0] as UnpackedObject).mtime.toISOString()).toBe("2025-10-01T08:00:00.250Z");
  });

  test("yields an error record for each member that is not an ORCID key, never an object", async () => {
    const members: Member[] = [
      { name: "ORCID_2025_10_summaries/README.txt", body: "hello" },
      { name: `../097/${A}.xml`, body: "<evil/>" },
      { name: `ORCID_2025_10_summaries/098/${A}.xml`, body: "<misfiled/>" },
      { name: `ORCID_2025_10_summaries/097/${A}.xml`, type: "symlink" },
      summaryX,
    ];
    const { items, stats, failure } = await unpack(await tarOf(members));
    expect(failure).toBeUndefined();
    expect(items.map((item) => item.type)).toEqual(["error", "error", "error", "error", "member"]);
    expect(
      items
        .slice(0, 4)
        .every(
          (item) =>
            item.type === "error" &&
            item.code === "InvalidKey" &&
            item.tool === "orcid-unpack" &&
            item.message.startsWith("test.tar.gz: "),
        ),
    ).toBe(true);
    expect((items[3] as ErrorRecord).message).toMatch(/is a symlink, not a file/);
    expect(stats).toMatchObject({ members: 5, objects: 1, errors: 4 });
    // The shards after the first leave such members to the first.
    const quiet = await unpack(await tarOf(members), { reportInvalid: false });
    expect(quiet.items.map((item) => item.type)).toEqual(["member"]);
    expect(quiet.stats.errors).toBe(0);
  });

  test("leaves out what --only, --ids and --shard exclude, without an error", async () => {
    const archive = await tarOf([summaryA, summaryX, workA]);
    const keys = async (options: Partial<UnpackOptions>) =>
      (await unpack(archive, options)).items.map((item) => (item as UnpackedObject).ref.key);
    expect(await keys({ filter: { only: "activities" } })).toEqual([`097/${A}/works/${A}_works_9.xml`]);
    expect(await keys({ filter: { ids: new Set([X]) } })).toEqual([`31X/${X}.xml`]);
    const shards = await Promise.all([1, 2, 3].map((index) => keys({ filter: { shard: { index, count: 3 } } })));
    expect(shards.flat().sort()).toEqual([`097/${A}.xml`, `097/${A}/works/${A}_works_9.xml`, `31X/${X}.xml`].sort());
    expect((await unpack(archive, { filter: { only: "summaries" } })).stats).toMatchObject({ skipped: 1, objects: 2 });
  });

  test("holds a member larger than 16 MiB whole, and refuses one above the limit with an error record", async () => {
    const big = Buffer.alloc(17 * 1024 * 1024, "<a/>");
    const { items } = await unpack(gzipSync(await tarOf([{ name: summaryA.name, body: big }, summaryX])));
    expect((items[0] as UnpackedObject).bytes.equals(big)).toBe(true);
    expect(
      createHash("md5")
        .update((items[0] as UnpackedObject).bytes)
        .digest("hex"),
    ).toBe(createHash("md5").update(big).digest("hex"));
    const limited = await unpack(await tarOf([{ name: summaryA.name, body: big }, summaryX]), {
      maxMemberBytes: 1024 * 1024,
    });
    expect(limited.items.map((item) => (item.type === "error" ? item.code : item.ref.key))).toEqual([
      "TooLarge",
      `31X/${X}.xml`,
    ]);
  });

  test("a truncated archive: the members before the damage, then a FatalError naming the member and offset", async () => {
    const tar = await tarOf([summaryA, { name: summaryX.name, body: "<x/>".repeat(2000) }, workA]);
    const cut = await unpack(tar.subarray(0, 2048));
    expect(cut.items.map((item) => item.type === "member" && item.ref.key)).toEqual([`097/${A}.xml`]);
    expect(cut.failure).toBeInstanceOf(FatalError);
    expect((cut.failure as Error).message).toMatch(
      new RegExp(
        `^Cannot read test.tar.gz: .*cut short.*in member '${summaryX.name}' \\(its header at byte 1024 of the tar stream\\)$`,
      ),
    );

    const gz = gzipSync(tar);
    const gzCut = await unpack(gz.subarray(0, gz.length - 20));
    expect(gzCut.failure).toBeInstanceOf(FatalError);
    expect((gzCut.failure as Error).message).toMatch(/gzip data is cut short.*byte \d+ of the compressed file\)$/);
  });

  test("a corrupt header stops the run after the members before it", async () => {
    const tar = await tarOf([summaryA, summaryX]);
    tar[1024 + 10]! ^= 0xff;
    const { items, failure } = await unpack(tar);
    expect(items).toHaveLength(1);
    expect((failure as Error).message).toMatch(
      new RegExp(`after member '${summaryA.name}' \\(read to byte \\d+ of the tar stream\\)$`),
    );
  });

  test("a file that is not an archive: one FatalError, nothing yielded", async () => {
    const { items, failure } = await unpack(Buffer.from("orcid,path,date_created,last_modified\n".repeat(50)));
    expect(items).toEqual([]);
    expect((failure as Error).message).toBe(
      "Cannot read test.tar.gz: it is neither a tar nor a gzip-compressed tar archive",
    );
  });
});
