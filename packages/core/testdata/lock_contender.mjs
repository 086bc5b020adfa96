// One of the processes a lock stress test races against each other: takes a lock, checks that no
// other process is inside, leaves, and either releases or "dies" holding it (the lock names a
// child that is then killed), over and over. Prints one JSON line; exits 1 on an overlap.
//
// node lock_contender.mjs <state|mirror> <module URL> <lock path or mirror dir> <marker file> <rounds> [shard K/N]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { unlinkSync, writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

const [kind, moduleUrl, target, marker, roundsText, shardText] = process.argv.slice(2);
const lib = await import(moduleUrl);
const rounds = Number(roundsText);

const take =
  kind === "state"
    ? async (pid) => {
        await lib.acquireLock(target, { pid });
        return { release: () => lib.releaseLock(target, pid) };
      }
    : (pid) => lib.acquireMirrorLock(target, { pid, ...(shardText ? { shard: lib.parseShard(shardText) } : {}) });

let waits = 0;
let deaths = 0;
for (let round = 0; round < rounds; round++) {
  // Every fourth round the lock belongs to a child that dies holding it, so the others must take over.
  const dies = round % 4 === 3;
  const sleeper = dies ? spawn("sleep", ["600"], { stdio: "ignore" }) : undefined;
  if (sleeper) await once(sleeper, "spawn");
  const pid = sleeper?.pid ?? process.pid;
  let held;
  for (;;) {
    try {
      held = await take(pid);
      break;
    } catch (error) {
      if (error?.name !== "LockHeldError") throw error;
      waits++;
      await delay(Math.random() * 3);
    }
  }
  try {
    writeFileSync(marker, `${process.pid} round ${round}`, { flag: "wx" });
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
    console.log(JSON.stringify({ pid: process.pid, overlap: round, waits, deaths }));
    process.exit(1);
  }
  await delay(Math.random() * 2);
  unlinkSync(marker);
  if (sleeper) {
    sleeper.kill("SIGKILL");
    await once(sleeper, "exit");
    deaths++;
  } else {
    await held.release();
  }
}
console.log(JSON.stringify({ pid: process.pid, overlap: null, waits, deaths }));
