/**
 * Identity sequences after rows were written with their own ids (an import, a move from D1):
 * inserting explicit ids does not move a sequence on, so the next registration would get id 1.
 */
import type pg from "pg";

/**
 * Moves the identity sequence of each of `tables` past the table's highest id, and past
 * `floors[table]` (ids handed out before, e.g. by D1's AUTOINCREMENT, that must never be reused
 * even though their rows are gone). Never moves a sequence back. Answers the new last values.
 */
export async function moveSequencesOn(client: pg.Client, tables: string[], floors: Record<string, number> = {}): Promise<Record<string, number>> {
  const { rows: identities } = await client.query<{ table: string; column: string; sequence: string }>(
    `select table_name as table, column_name as column, pg_get_serial_sequence(quote_ident(table_name), column_name) as sequence
       from information_schema.columns
      where table_schema = current_schema() and is_identity = 'YES' and table_name = any($1::text[])`,
    [tables],
  );
  const moved: Record<string, number> = {};
  for (const { table, column, sequence } of identities) {
    // The names come from PostgreSQL's catalog; only the floor is a value.
    const { rows } = await client.query<{ value: number | null }>(
      `select setval(s, v) as value
         from (select $1::regclass as s,
                      greatest($2::bigint, (select coalesce(max(${client.escapeIdentifier(column)}), 0) from ${client.escapeIdentifier(table)}),
                               coalesce(pg_sequence_last_value($1::regclass), 0)) as v) as next
        where v > 0`,
      [sequence, floors[table] ?? 0],
    );
    if (rows[0]?.value != null) moved[table] = rows[0].value;
  }
  return moved;
}
