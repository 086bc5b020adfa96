import { describe, expect, test } from "vitest";
import { ByteBudget } from "./byte_budget.ts";

describe("ByteBudget", () => {
  test("makes a request wait until enough is released, in order", async () => {
    const budget = new ByteBudget(100);
    await budget.acquire(60);
    const order: string[] = [];
    const second = budget.acquire(50).then(() => order.push("second"));
    const third = budget.acquire(10).then(() => order.push("third"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    budget.release(60);
    await Promise.all([second, third]);
    expect(order).toEqual(["second", "third"]);
    expect(budget.used).toBe(60);
  });

  test("lets a request larger than the limit through when nothing else is held", async () => {
    const budget = new ByteBudget(10);
    await budget.acquire(1000);
    expect(budget.used).toBe(1000);
    let admitted = false;
    const next = budget.acquire(1).then(() => (admitted = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(admitted).toBe(false);
    budget.release(1000);
    await next;
    expect(admitted).toBe(true);
  });
});

describe("ByteBudget urgent requests", () => {
  test("let the head of the line through a full budget, and no other", async () => {
    const budget = new ByteBudget(100);
    await budget.acquire(100);
    let head = false;
    let headIn = false;
    let otherIn = false;
    void budget.acquire(50).then(() => (otherIn = true));
    void budget.acquire(50, () => head).then(() => (headIn = true));
    budget.nudge();
    await new Promise((resolve) => setImmediate(resolve));
    expect([headIn, otherIn]).toEqual([false, false]);
    head = true;
    budget.nudge();
    await new Promise((resolve) => setImmediate(resolve));
    expect([headIn, otherIn]).toEqual([true, false]);
  });

  test("tryAcquire takes what fits now, and never passes a waiting request", async () => {
    const budget = new ByteBudget(100);
    expect(budget.tryAcquire(60)).toBe(true);
    expect(budget.used).toBe(60);
    expect(budget.tryAcquire(50)).toBe(false);
    expect(budget.used).toBe(60);
    let admitted = false;
    const waiting = budget.acquire(50).then(() => (admitted = true));
    // 10 would fit, but a request is waiting in line.
    expect(budget.tryAcquire(10)).toBe(false);
    budget.release(60);
    await waiting;
    expect(admitted).toBe(true);
    expect(budget.tryAcquire(50)).toBe(true);
    expect(budget.used).toBe(100);
  });
});

describe("ByteBudget urgent requests that arrive late", () => {
  test("pass requests already waiting, at once, even past the limit", async () => {
    const budget = new ByteBudget(100);
    await budget.acquire(100);
    let otherIn = false;
    void budget.acquire(50).then(() => (otherIn = true));
    expect(budget.tryAcquire(50, () => true)).toBe(true);
    let headIn = false;
    void budget.acquire(50, () => true).then(() => (headIn = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect([headIn, otherIn]).toEqual([true, false]);
    expect(budget.used).toBe(200);
  });
});
