import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, test } from "vitest";
import { processLiveness, processStart } from "./process_identity.ts";

describe("processLiveness()", () => {
  test("a running process with its start is alive; with another start, or gone, it is dead", async () => {
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    await once(child, "spawn");
    const start = processStart(child.pid!);
    expect(start).toMatch(/\/\d+$/);
    expect(processLiveness(child.pid!, start)).toBe("alive");
    expect(processLiveness(child.pid!, `${start}0`)).toBe("dead");
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(processLiveness(child.pid!, start)).toBe("dead");
    expect(processLiveness(child.pid!)).toBe("dead");
  });
});
