import { type DataSource } from 'typeorm';

interface PgPool {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, any>[] }>;
}

/**
 * Runs a read as a named prepared statement on the pool behind TypeORM: PostgreSQL plans it once
 * per connection instead of on every call. For the few hot reads whose planning costs more than
 * their execution (the dashboard's health facts: ~0.4 ms of planning, 0.06 ms of execution).
 * `name` must always go with the same `text`.
 */
export async function preparedQuery(ds: DataSource, name: string, text: string, values: unknown[]): Promise<Record<string, any>[]> {
  const pool = (ds.driver as unknown as { master?: PgPool }).master;
  if (!pool) return ds.query(text, values);
  return (await pool.query({ name, text, values })).rows;
}
