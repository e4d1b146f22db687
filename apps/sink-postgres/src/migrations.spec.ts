import path from 'node:path';
import { loadMigrations } from '@ingest-mesh/pg-kit';
import { describe, expect, it } from 'vitest';

describe('the shipped migrations', () => {
  it('load in version order', async () => {
    const shipped = await loadMigrations(path.resolve(import.meta.dirname, '../migrations'));
    expect(shipped.map((m) => m.file)).toEqual(['0001_customers.sql', '0002_orders.sql', '0003_customer_history.sql']);
  });
});
