/** What the bench hands a scenario that lives in a file of its own, and the helpers they share. */

/** The bench's state a scenario reads and reports into. */
export interface ScenarioContext {
  /** The bench's scratch folder. */
  readonly work: string;
  /** The repository's root. */
  readonly repo: string;
  /** Measured runs per contender. */
  readonly runs: number;
  /** A smoke run (`--quick`): small sizes, figures that are not results. */
  readonly quick: boolean;
  /** The environment that points the tools at the local S3 server. */
  readonly env: NodeJS.ProcessEnv;
  /** Prints a line of the report (and keeps it for the results file). */
  readonly say: (text?: string) => void;
  /** The results file's object, one key per scenario. */
  readonly results: Record<string, unknown>;
}

/** The median of `xs` (the lower middle of an even count). */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
