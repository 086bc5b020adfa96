import { describe, expect, test } from "vitest";
import { attemptsMade, backoffDelay, retry, RetryError } from "./retry.ts";

describe("retry()", () => {
  test("retries retriable errors until success", async () => {
    let calls = 0;
    const result = await retry(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new Error("transient");
        return "ok";
      },
      { minDelayMs: 1 },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
  });

  test("rethrows a non-retriable error at once", async () => {
    let calls = 0;
    const fatal = new Error("AccessDenied");
    await expect(
      retry(
        async () => {
          calls++;
          throw fatal;
        },
        { isRetriable: (e) => e !== fatal, minDelayMs: 1 },
      ),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  test("gives up with RetryError carrying the last error and the attempt count", async () => {
    const retries: number[] = [];
    const error = await retry(async (attempt) => Promise.reject(new Error(`fail ${attempt}`)), {
      attempts: 3,
      minDelayMs: 1,
      onRetry: (_e, attempt) => retries.push(attempt),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryError);
    expect((error as RetryError).attempts).toBe(3);
    expect(((error as RetryError).cause as Error).message).toBe("fail 3");
    expect(retries).toEqual([1, 2]);
  });

  test("stops waiting when aborted", async () => {
    const controller = new AbortController();
    const pending = retry(async () => Promise.reject(new Error("x")), {
      minDelayMs: 60_000,
      random: () => 0.99,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("stopped")), 5);
    await expect(pending).rejects.toThrow("stopped");
  });
});

describe("backoffDelay()", () => {
  test("grows exponentially up to the maximum, with full jitter", () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, { random: top })).toBe(99);
    expect(backoffDelay(4, { random: top })).toBe(799);
    expect(backoffDelay(20, { random: top })).toBe(9999);
    expect(backoffDelay(4, { random: () => 0 })).toBe(0);
  });
});

describe("attemptsMade()", () => {
  test("counts the attempts retry() made before it threw", async () => {
    const flaky = new Error("flaky");
    const fatal = new Error("fatal");
    const exhausted = await retry(() => Promise.reject(flaky), { attempts: 3, minDelayMs: 0 }).catch(
      (error: unknown) => error,
    );
    expect(attemptsMade(exhausted)).toBe(3);
    let calls = 0;
    const refused = await retry(() => Promise.reject(++calls < 2 ? flaky : fatal), {
      attempts: 5,
      minDelayMs: 0,
      isRetriable: (e) => e === flaky,
    }).catch((error: unknown) => error);
    expect(refused).toBe(fatal);
    expect(attemptsMade(refused)).toBe(2);
    expect(attemptsMade(new Error("never retried"))).toBe(1);
  });
});
