import { describe, expect, test } from "vitest";
import { DryRunChanges } from "./dry_run_changes.ts";

const A = "0000-0002-1825-0097";
const B = "0000-0002-7869-831X";
const work = (orcid: string, n: number) => `activities/${orcid.slice(-3)}/${orcid}/works/${orcid}_works_${n}.xml`;

describe("DryRunChanges", () => {
  test("a file written then deleted is deleted, and written again is written", () => {
    const changes = new DryRunChanges();
    changes.wrote(A, work(A, 1));
    expect([...changes.written(A)]).toEqual([work(A, 1)]);
    changes.deleted(A, work(A, 1));
    expect(changes.isDeleted(work(A, 1))).toBe(true);
    expect([...changes.written(A)]).toEqual([]);
    changes.wrote(A, work(A, 1));
    expect(changes.isDeleted(work(A, 1))).toBe(false);
    expect(changes.isDeleted(`summaries/097/${A}.xml`)).toBe(false);
  });

  test("remembers the most recently changed iDs only: memory is bounded however many iDs a run sees", () => {
    const changes = new DryRunChanges(1);
    changes.deleted(A, work(A, 1));
    changes.wrote(B, work(B, 2));
    // A was changed longest ago: forgotten, so answered from the disk.
    expect(changes.isDeleted(work(A, 1))).toBe(false);
    expect([...changes.written(B)]).toEqual([work(B, 2)]);
    // Changing an iD again makes it the most recent.
    const two = new DryRunChanges(2);
    two.wrote(A, work(A, 1));
    two.wrote(B, work(B, 1));
    two.wrote(A, work(A, 2));
    two.wrote("0000-0001-5000-0007", work("0000-0001-5000-0007", 1));
    expect([...two.written(A)]).toEqual([work(A, 1), work(A, 2)]);
    expect([...two.written(B)]).toEqual([]);
  });
});
