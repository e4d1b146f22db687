// A fake engine for the unit tests: answers each bulk with the results the test scripts, by
// document id; records bulks, lookups and mapping calls; `hold()` keeps bulks pending until
// released, to observe concurrency without timing.
import type { MappingProperties } from '../avro-mapping.js';
import { docKey, type BulkItem, type BulkItemResult, type DocRef, type MappingRefusal, type SearchBackend } from '../search-backend.js';

export class FakeBackend implements SearchBackend {
  readonly bulks: BulkItem[][] = [];
  readonly lookups: DocRef[][] = [];
  readonly mappings: { entityType: string; properties: MappingProperties }[] = [];
  /** Every call in order: `bulk`, `lookup`, `mapping:<entityType>`. */
  readonly calls: string[] = [];
  refusals: MappingRefusal[] = [];
  mappingError: Error | undefined;
  closed = 0;
  active = 0;
  maxActive = 0;
  private held: (() => void)[] | undefined;

  constructor(
    private readonly answer: (item: BulkItem) => BulkItemResult = () => ({ status: 201 }),
    private readonly versions = new Map<string, number>(),
  ) {}

  async connect() {}

  async bulk(items: readonly BulkItem[]) {
    this.calls.push('bulk');
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.held !== undefined) await new Promise<void>((resolve) => this.held!.push(resolve));
      this.bulks.push([...items]);
      return items.map(this.answer);
    } finally {
      this.active--;
    }
  }

  async currentVersions(refs: readonly DocRef[]) {
    this.calls.push('lookup');
    this.lookups.push([...refs]);
    return new Map([...this.versions].filter(([k]) => refs.some((r) => docKey(r) === k)));
  }

  async applyEntityMapping(entityType: string, properties: MappingProperties) {
    this.calls.push(`mapping:${entityType}`);
    if (this.mappingError !== undefined) throw this.mappingError;
    this.mappings.push({ entityType, properties });
    return this.refusals;
  }

  async close() {
    this.closed++;
  }

  async health() {
    return { ok: true, details: { cluster: 'fake' } };
  }

  /** From now on bulks wait until release(). */
  hold(): void {
    this.held = [];
  }

  /** Bulks waiting in hold(). */
  get waiting(): number {
    return this.held?.length ?? 0;
  }

  /** Lets the waiting bulks go and stops holding. */
  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const go of waiting) go();
  }
}
