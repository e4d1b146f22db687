// The consuming side: each round of dead letters (one partition of one dlq.* topic) becomes one
// batched INSERT. The redriver must never dead-letter a dead letter, so a failure is either
// retried in place (PostgreSQL down: MESH_EXHAUSTED_RETRIES is forced to block) or, for a letter
// PostgreSQL refuses outright, stored as a bare quarantined row that says why.
import type { HandleContext, InboundRecord, RecordHandler, RecordOutcome } from '@ingest-mesh/kafka-runtime';
import { boundedMessage, classify } from '@ingest-mesh/reason-codes';
import type { Logger } from '@ingest-mesh/telemetry';
import { readLetter, type Letter } from './letter.js';
import type { InsertResult, LetterStore } from './letter-store.js';

export interface StoreHandlerOptions {
  store: LetterStore;
  logger: Logger;
  onStored(result: InsertResult, records: number): void;
}

export class StoreHandler implements RecordHandler {
  constructor(private readonly opts: StoreHandlerOptions) {}

  async handle(records: readonly InboundRecord[], _ctx: HandleContext): Promise<RecordOutcome[]> {
    const letters = records.map(readLetter);
    try {
      this.opts.onStored(await this.opts.store.insert(letters), records.length);
    } catch (err) {
      if (classify(err).retryable) return records.map(() => ({ status: 'failed', error: err }));
      this.opts.logger.warn({ err, records: records.length }, 'PostgreSQL refused a round of dead letters; storing them one by one');
      try {
        for (const letter of letters) this.opts.onStored(await this.insertOrBare(letter), 1);
      } catch (again) {
        return records.map(() => ({ status: 'failed', error: again }));
      }
    }
    return records.map(() => ({ status: 'done', effect: 'written' }));
  }

  /** The letter, or else a bare row (coordinates, reason, bytes) quarantined with the refusal. */
  private async insertOrBare(letter: Letter): Promise<InsertResult> {
    try {
      return await this.opts.store.insert([letter]);
    } catch (err) {
      if (classify(err).retryable) throw err;
      const bare: Letter = {
        ...letter,
        originTopic: null,
        originPartition: null,
        originOffset: null,
        error: `not storable as received: ${boundedMessage(err)}`,
        tenant: null,
        dedupeKey: null,
        redriveId: null,
        headers: {},
      };
      return this.opts.store.insert([bare]);
    }
  }
}
