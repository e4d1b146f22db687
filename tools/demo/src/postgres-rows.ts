// Reads what sink-postgres wrote for the demo's records: waits until every expected key is a row
// of customers_live / orders_live (at its revision), then returns those rows for printing.
import pg from 'pg';

export interface ExpectedRow {
  table: 'customers_live' | 'orders_live';
  tenant: string;
  id: string;
  revision: number;
}

export interface PostgresRows {
  rows: Record<string, unknown>[];
  missing: ExpectedRow[];
}

const COLUMNS = {
  customers_live: 'tenant, id, revision, name, email, tier, country, source, updated_at',
  orders_live: 'tenant, id, revision, customer_id, status, amount_cents, currency, items, source, updated_at',
} as const;

export async function waitForPostgresRows(opts: {
  databaseUrl: string;
  schema: string;
  expected: readonly ExpectedRow[];
  timeoutMs: number;
}): Promise<PostgresRows> {
  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'demo' });
  await client.connect();
  try {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const rows: Record<string, unknown>[] = [];
      const missing: ExpectedRow[] = [];
      for (const e of opts.expected) {
        // Identifiers are constants or the quoted schema; values are parameters.
        const sql = `SELECT ${COLUMNS[e.table]} FROM ${quoteIdent(opts.schema)}.${quoteIdent(e.table)} WHERE tenant = $1 AND id = $2 AND revision = $3`;
        const res = await client.query(sql, [e.tenant, e.id, e.revision]).catch((err: { code?: string }) => {
          if (err.code === '42P01') return { rows: [] }; // the sink has not created its tables yet
          throw err;
        });
        if (res.rows[0]) rows.push({ table: e.table, ...(res.rows[0] as Record<string, unknown>) });
        else missing.push(e);
      }
      if (missing.length === 0 || Date.now() > deadline) return { rows, missing };
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
