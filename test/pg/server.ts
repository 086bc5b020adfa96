/**
 * A throwaway PostgreSQL server for the tests and the bench, from Debian's `postgresql` package:
 * initdb in a temp folder as an unprivileged user (postgres refuses to run as root), a free port on
 * 127.0.0.1, its unix socket in the temp folder, a role with a password and a database of its own;
 * stopped and removed by `stop()`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** A running throwaway server. */
export interface LocalPostgres {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** The role the tools connect as (owner of `database`). */
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `postgres://user:password@127.0.0.1:port/database` */
  readonly url: string;
  /** PG* variables for a tool under test: host, port, user, password, database. */
  readonly env: Readonly<Record<string, string>>;
  readonly pid: number;
  /** Runs SQL as the superuser over the unix socket (psql); returns its unaligned output. */
  admin(sql: string, database?: string): string;
  stop(): Promise<void>;
}

/** The folder holding initdb, postgres and psql: the newest version installed. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0])
    throw new Error("PostgreSQL is not installed (apt-get install postgresql): no /usr/lib/postgresql/*/bin/initdb");
  return join(root, versions[0], "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The unprivileged account to run as when we are root (postgres will not run as root). */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      return {
        uid: Number(execFileSync("id", ["-u", name]).toString()),
        gid: Number(execFileSync("id", ["-g", name]).toString()),
      };
    } catch {
      // Try the next account.
    }
  }
  throw new Error("Running as root and no unprivileged account (postgres, nobody) to run PostgreSQL as");
}

/** A command line run as `account` (through setpriv) when we are root. */
function asUser(
  account: { uid: number; gid: number } | undefined,
  command: string,
  args: string[],
): [string, string[]] {
  if (!account) return [command, args];
  return ["setpriv", [`--reuid=${account.uid}`, `--regid=${account.gid}`, "--clear-groups", "--", command, ...args]];
}

/**
 * Starts a throwaway PostgreSQL and resolves once it accepts connections with the role's password.
 * Throws (never skips) when it cannot.
 *
 * @example
 * ```ts
 * const pg = await startLocalPostgres();
 * try { … pg.url … } finally { await pg.stop(); }
 * ```
 */
export async function startLocalPostgres(
  options: { readonly user?: string; readonly database?: string } = {},
): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  const account = runAs();
  const dir = mkdtempSync(join(tmpdir(), "orcid-sync-pg-"));
  const data = join(dir, "data");
  const user = options.user ?? "orcid_loader";
  const database = options.database ?? "orcid_test";
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  if (account) {
    chownSync(dir, account.uid, account.gid);
    chmodSync(dir, 0o700);
  }
  const exec = (command: string, args: string[]) => {
    const [c, a] = asUser(account, command, args);
    return execFileSync(c, a, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString();
  };
  let child: ChildProcess | undefined;
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    exec(join(bin, "initdb"), [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--no-sync",
    ]);
    const port = await freePort();
    const [c, a] = asUser(account, join(bin, "postgres"), [
      "-D",
      data,
      "-k",
      dir,
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=60",
    ]);
    child = spawn(c, a, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    let up = false;
    const deadline = Date.now() + 30_000;
    while (!up) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`PostgreSQL did not start on port ${port}: ${log.trim() || "no output"}`);
      }
      try {
        exec(join(bin, "pg_isready"), ["-q", "-h", dir, "-p", String(port)]);
        up = true;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const admin = (sql: string, db = "postgres") => {
      const file = join(dir, `admin-${Date.now()}-${Math.random().toString(36).slice(2)}.sql`);
      writeFileSync(file, sql);
      if (account) chownSync(file, account.uid, account.gid);
      try {
        return exec(join(bin, "psql"), [
          "-X",
          "-q",
          "-A",
          "-t",
          "-v",
          "ON_ERROR_STOP=1",
          "-h",
          dir,
          "-p",
          String(port),
          "-U",
          "postgres",
          "-d",
          db,
          "-f",
          file,
        ]);
      } finally {
        rmSync(file, { force: true });
      }
    };
    admin(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'; CREATE DATABASE ${database} OWNER ${user};`);
    const running = child;
    return {
      host: "127.0.0.1",
      port,
      user,
      password,
      database,
      url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
      env: { PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: user, PGPASSWORD: password, PGDATABASE: database },
      pid: running.pid!,
      admin,
      async stop() {
        if (running.exitCode === null) {
          // SIGQUIT: immediate shutdown, no checkpoint (the data is thrown away).
          running.kill("SIGQUIT");
          await exited;
        }
        remove();
      },
    };
  } catch (error) {
    if (child && child.exitCode === null) child.kill("SIGQUIT");
    remove();
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`Cannot start the throwaway PostgreSQL: ${stderr || (error as Error).message}`);
  }
}
