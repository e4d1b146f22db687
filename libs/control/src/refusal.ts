// Why an app refuses an operator's command. A refusal is the command's answer, not a record's
// failure: it carries a refusal code the CLIs map to exit statuses, and no reason code (reason
// codes describe records; sending the same command again gives the same answer, so nothing retries it).

export abstract class CommandRefusedError extends Error {
  /** A bounded code per app (e.g. the replay-coordinator's 'held', 'needs-approval', 'unknown-plan'). */
  abstract readonly refusal: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
