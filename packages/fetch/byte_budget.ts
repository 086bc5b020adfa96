/** A cap on bytes held at once: callers wait for room instead of growing memory. */

interface Waiter {
  readonly bytes: number;
  readonly urgent: (() => boolean) | undefined;
  readonly resolve: () => void;
}

/**
 * Counts bytes in use against a limit. `acquire(n)` waits until `n` more fit. A request also goes
 * through when nothing is held (so one larger than the limit cannot wait forever) or when its
 * `urgent` check says so: a pool that keeps output order must let the item at the head of the
 * line through, or items finished behind it would hold the budget while it waits for them.
 *
 * @example
 * ```ts
 * const budget = new ByteBudget(256 * 2 ** 20);
 * await budget.acquire(size);
 * try { … } finally { budget.release(size); }
 * ```
 */
export class ByteBudget {
  readonly limit: number;
  #used = 0;
  #waiting: Waiter[] = [];

  constructor(limit: number) {
    if (!(limit > 0)) throw new RangeError(`Invalid byte limit ${limit}: need a number above 0`);
    this.limit = limit;
  }

  /** Bytes held now. */
  get used(): number {
    return this.#used;
  }

  #admits(bytes: number, urgent: (() => boolean) | undefined): boolean {
    return this.#used === 0 || this.#used + bytes <= this.limit || (urgent?.() ?? false);
  }

  /**
   * Takes `bytes` if they fit now (the rule of `acquire`); false, holding nothing, if they would
   * have to wait. An urgent request passes those already waiting: the head of the line can arrive
   * after later items filled the budget, and they give it back only once the head has moved on.
   */
  tryAcquire(bytes: number, urgent?: () => boolean): boolean {
    if (!urgent?.() && (this.#waiting.length > 0 || !this.#admits(bytes, undefined))) return false;
    this.#used += bytes;
    return true;
  }

  /** Resolves once `bytes` are held. */
  acquire(bytes: number, urgent?: () => boolean): Promise<void> {
    if (this.tryAcquire(bytes, urgent)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push({ bytes, urgent, resolve }));
  }

  /** Gives back `bytes` and lets waiting requests in. */
  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
    this.nudge();
  }

  /** Checks the waiting requests again (e.g. when what `urgent` looks at has changed). */
  nudge(): void {
    const still: Waiter[] = [];
    for (const waiter of this.#waiting) {
      // First come, first served among those that fit; an urgent one may pass the others.
      if ((still.length === 0 || waiter.urgent?.()) && this.#admits(waiter.bytes, waiter.urgent)) {
        this.#used += waiter.bytes;
        waiter.resolve();
      } else {
        still.push(waiter);
      }
    }
    this.#waiting = still;
  }
}
