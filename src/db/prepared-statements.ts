import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/** PostgreSQL's answer when a statement prepared before a schema change would now return other columns. */
const STALE_PLAN = '0A000';

/**
 * Kysely over `pg` with every query a named prepared statement: each connection parses and
 * plans a query once, then only binds and executes it. Planning was about half of the server's
 * work for `/cop norms`.
 *
 * - SQL texts are named in the order first seen. Past `maxNamed` distinct texts (long IN lists,
 *   bulk inserts of every size) queries go unnamed, so the server's statements per connection
 *   stay bounded.
 * - A migration run by a newer instance (a rolling deploy) can change what a prepared
 *   `select *` returns; PostgreSQL then refuses the statement. Outside a transaction the query
 *   is sent again unnamed; inside one the error stands (the transaction is aborted anyway) and
 *   the caller's retry finds a fresh connection. Either way the connection is dropped on
 *   release, so its stale statements go with it.
 * - Behind PgBouncer, transaction pooling needs PgBouncer 1.21+ with `max_prepared_statements`.
 */
export class PreparingPool implements PostgresPool {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxNamed = 1000,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    let inTransaction = false;
    let stale = false;

    const run = async (text: string, values: unknown[]): Promise<PostgresQueryResult<unknown>> => {
      const command = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase();
      if (command === 'begin' || command === 'start') inTransaction = true;
      else if (command === 'commit' || command === 'rollback') inTransaction = false;
      const name = stale ? undefined : this.nameOf(text);
      if (!name) return client.query(text, values) as Promise<PostgresQueryResult<unknown>>;
      try {
        return (await client.query({ name, text, values })) as PostgresQueryResult<unknown>;
      } catch (error) {
        if ((error as { code?: unknown }).code !== STALE_PLAN) throw error;
        stale = true;
        if (inTransaction) throw error;
        return (await client.query(text, values)) as PostgresQueryResult<unknown>;
      }
    };

    return {
      query: ((textOrCursor: string | PostgresCursor<unknown>, values?: readonly unknown[]) =>
        typeof textOrCursor === 'string'
          ? run(textOrCursor, [...(values ?? [])])
          : client.query(textOrCursor as never)) as PostgresPoolClient['query'],
      // A truthy argument makes pg-pool close the connection instead of keeping it.
      release: () => client.release(stale || undefined),
    };
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.maxNamed) {
      name = `cop_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }
}
