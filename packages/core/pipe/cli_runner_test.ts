import { PassThrough, Readable, Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { ExitCode, FatalError, runTool, type ToolSpec } from "./cli_runner.ts";
import { registerSecret } from "./redact.ts";

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _e, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

async function run(spec: Partial<ToolSpec<{ count?: number }>>, argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = sink();
  const stderr = sink();
  const code = await runTool(
    {
      name: "orcid-test",
      version: "1.2.3",
      usage: "$0 [options]",
      options: (y) => y.option("count", { type: "number", describe: "How many" }),
      main: async () => 0,
      ...spec,
    },
    { argv, stdin: Readable.from([]), stdout: stdout.stream, stderr: stderr.stream, env },
    new AbortController().signal,
  );
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("runTool()", () => {
  test("--help prints usage and the flags on stdout and exits 0 without running", async () => {
    let ran = false;
    const result = await run(
      {
        main: async () => {
          ran = true;
          return undefined;
        },
      },
      ["--help"],
    );
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stdout).toContain("--count");
    expect(result.stdout).toContain("--log-level");
    expect(result.stdout).toContain("Exit status: 0 done");
    expect(ran).toBe(false);
  });

  test("--version prints the version", async () => {
    const result = await run({}, ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("1.2.3");
  });

  test("an unknown flag is a usage error (exit 2) with one clear message", async () => {
    const result = await run({}, ["--bogus"]);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toBe(
      "orcid-test: error: Unknown argument: bogus\norcid-test: try 'orcid-test --help' for more information\n",
    );
  });

  test("writes records to stdout and ends with a summary on stderr", async () => {
    const result = await run(
      {
        main: async (_args, ctx) => {
          await ctx.out.write({ type: "checkpoint", bucket: "b", folder: "097" });
          ctx.summary("1 record");
          return ExitCode.ItemsFailed;
        },
      },
      [],
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('{"type":"checkpoint","bucket":"b","folder":"097"}\n');
    expect(result.stderr).toMatch(/^orcid-test: 1 record in \d+\.\d s\n$/);
  });

  test("a fatal error is one line, no stack, exit 3", async () => {
    const result = await run(
      { main: async () => Promise.reject(new FatalError("Cannot read bucket 'x': AccessDenied")) },
      [],
    );
    expect(result.code).toBe(ExitCode.Fatal);
    expect(result.stderr).toBe("orcid-test: error: Cannot read bucket 'x': AccessDenied\n");
  });

  test("an unexpected error shows its stack only at debug level", async () => {
    const quiet = await run({ main: async () => Promise.reject(new Error("boom")) }, []);
    expect(quiet.stderr).toBe("orcid-test: error: boom\n");
    const verbose = await run({ main: async () => Promise.reject(new Error("boom")) }, ["--log-level", "debug"]);
    expect(verbose.stderr).toContain("orcid-test: debug:     at ");
  });

  test("a closed stdout ends the tool quietly with exit 0", async () => {
    const stdout = new PassThrough();
    stdout.destroy();
    const stderr = sink();
    const code = await runTool(
      {
        name: "orcid-test",
        version: "1",
        usage: "$0",
        options: (y) => y,
        main: async (_a, ctx) => {
          for (;;) await ctx.out.write({ type: "x" });
        },
      },
      { argv: [], stdin: Readable.from([]), stdout, stderr: stderr.stream, env: {} },
      new AbortController().signal,
    );
    expect(code).toBe(0);
    expect(stderr.text()).toBe("");
  });

  test("accepts the reference's log level names and refuses others", async () => {
    expect((await run({}, ["--log-level", "WARN"])).stderr).toBe("");
    expect((await run({}, ["--log-level", "loud"])).code).toBe(ExitCode.Usage);
  });

  test("never prints a registered secret", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    registerSecret(secret);
    const result = await run({ main: async () => Promise.reject(new Error(`bad key ${secret}`)) }, []);
    expect(result.stderr).toBe("orcid-test: error: bad key ***\n");
  });

  test("names the first five items the tool failed on, with key and reason, then counts the rest; an upstream tool's errors are its own to tell", async () => {
    const error = (tool: string, n: number) => ({
      type: "error",
      tool,
      op: "get",
      message: `Body does not match its ETag (after 5 attempts) #${n}`,
      code: "Integrity",
      retryable: true,
      attempts: 5,
      bucket: "v3.0-summaries",
      key: `097/key-${n}.xml`,
    });
    const result = await run(
      {
        main: async (_args, ctx) => {
          await ctx.out.write(error("orcid-list", 0));
          for (let n = 1; n <= 7; n++) await ctx.out.write(error("orcid-test", n));
          await ctx.out.writeLines([JSON.stringify(error("orcid-test", 8))]);
          return ExitCode.ItemsFailed;
        },
      },
      [],
    );
    expect(result.code).toBe(ExitCode.ItemsFailed);
    const lines = result.stderr.trim().split("\n");
    expect(lines.slice(0, 5)).toEqual(
      [1, 2, 3, 4, 5].map(
        (n) =>
          `orcid-test: error: s3://v3.0-summaries/097/key-${n}.xml: Body does not match its ETag (after 5 attempts) #${n} [Integrity]`,
      ),
    );
    expect(lines[5]).toBe("orcid-test: error: … and 3 more failed items: 8 in all, each an error record on stdout");
    expect(result.stderr).not.toContain("key-0");
    expect(result.stdout.trim().split("\n")).toHaveLength(9);
  });
});
