import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type LocalPostgres, startLocalPostgres } from "./server.ts";

describe("the throwaway PostgreSQL", () => {
  let pg: LocalPostgres;
  beforeAll(async () => {
    pg = await startLocalPostgres();
  });
  afterAll(() => pg?.stop());

  it("runs as an unprivileged user, holds the role's database, and is removed by stop()", async () => {
    expect(pg.admin("SELECT current_setting('data_directory')").trim()).toMatch(/orcid-sync-pg-/);
    expect(Number(execFileSync("ps", ["-o", "uid=", "-p", String(pg.pid)]).toString())).not.toBe(0);
    expect(pg.admin(`SELECT datdba::regrole FROM pg_database WHERE datname = '${pg.database}'`).trim()).toBe(pg.user);
    expect(pg.admin("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").trim()).toBe("t");
    const dir = pg.admin("SELECT current_setting('data_directory')").trim();
    const other = await startLocalPostgres();
    expect(other.port).not.toBe(pg.port);
    await other.stop();
    expect(existsSync(dir)).toBe(true);
    await pg.stop();
    expect(existsSync(dir)).toBe(false);
  });
});
