// Exit codes scripts can rely on (README: "Exit codes").
export const EXIT = {
  /** Done; a job finished without failures. */
  OK: 0,
  /** A job finished with failures (some letters could not be redriven, or it failed). */
  JOB_FAILED: 1,
  /** Bad command line or configuration. */
  USAGE: 2,
  /** Kafka, the schema registry or PostgreSQL cannot be reached. */
  UNREACHABLE: 3,
  /** The redriver rejected the command, or no redriver acknowledged it in time. */
  REJECTED: 4,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** Print the usage text after the message (a bad command line, not a bad environment). */
    readonly showUsage = false,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usage = (message: string) => new CliError(message, EXIT.USAGE, true);
export const badConfig = (message: string) => new CliError(message, EXIT.USAGE);
export const unreachable = (what: string, err: unknown) =>
  new CliError(`cannot reach ${what}: ${err instanceof Error ? err.message : String(err)}`, EXIT.UNREACHABLE);
