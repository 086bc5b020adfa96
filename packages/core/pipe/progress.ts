/** A status line on stderr: redrawn in place on a terminal, printed now and then when asked for elsewhere. */
import type { Writable } from "node:stream";

/** Options for {@linkcode Progress}. */
export interface ProgressOptions {
  /** Draw at all; tools enable it on a TTY or with `--progress`. */
  readonly enabled: boolean;
  /** Redraw in place with `\r` (a terminal) instead of printing whole lines. */
  readonly inPlace: boolean;
  /** How often to draw, in ms. Default 250 in place, 5000 as lines. */
  readonly intervalMs?: number;
}

/**
 * Draws the text of a render function at an interval; {@linkcode Progress.clear} erases it so a log
 * line can be printed, and it is redrawn at the next tick.
 */
export class Progress {
  readonly #stream: Writable;
  readonly #options: ProgressOptions;
  readonly #name: string;
  #render: (() => string) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #shown = false;

  constructor(name: string, stream: Writable, options: ProgressOptions) {
    this.#name = name;
    this.#stream = stream;
    this.#options = options;
  }

  get enabled(): boolean {
    return this.#options.enabled;
  }

  /** Starts drawing what `render` returns. */
  start(render: () => string): void {
    this.#render = render;
    if (!this.#options.enabled || this.#timer) return;
    const interval = this.#options.intervalMs ?? (this.#options.inPlace ? 250 : 5000);
    this.#timer = setInterval(() => this.draw(), interval);
    this.#timer.unref();
  }

  /** Draws the current text now. */
  draw(): void {
    if (!this.#options.enabled || !this.#render) return;
    const text = `${this.#name}: ${this.#render()}`;
    if (this.#options.inPlace) {
      this.#stream.write(`\r\x1b[K${text}`);
      this.#shown = true;
    } else {
      this.#stream.write(`${text}\n`);
    }
  }

  /** Erases the line if it is shown in place. */
  clear(): void {
    if (this.#shown) {
      this.#stream.write("\r\x1b[K");
      this.#shown = false;
    }
  }

  /** Stops drawing and erases the line. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }
}
