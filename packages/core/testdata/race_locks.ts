/** Races lock contenders (lock_contender.mjs) against each other, each in its own process. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scratchDir } from "./scratch_dir.ts";

const CONTENDER = fileURLToPath(new URL("./lock_contender.mjs", import.meta.url));

/** What one contender reports. */
export interface ContenderResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one contender per entry of `shards` (undefined: the whole mirror, or the state lock) at once
 * on the lock at `target`, each for `rounds` rounds, with one marker file that a holder creates
 * exclusively while inside. Call it inside a test (its marker's folder goes when the test ends).
 */
export function raceLocks(
  kind: "state" | "mirror",
  moduleUrl: string,
  target: string,
  shards: readonly (string | undefined)[],
  rounds: number,
): Promise<ContenderResult[]> {
  const marker = join(scratchDir("lock-marker-"), "inside");
  return Promise.all(
    shards.map(
      (shard) =>
        new Promise<ContenderResult>((resolve, reject) => {
          const child = spawn(process.execPath, [CONTENDER, kind, moduleUrl, target, marker, String(rounds), ...(shard ? [shard] : [])], {
            stdio: ["ignore", "pipe", "pipe"],
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
          child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
          child.on("error", reject);
          child.on("close", (code) => resolve({ code, stdout, stderr }));
        }),
    ),
  );
}
