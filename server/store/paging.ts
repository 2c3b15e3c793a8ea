/**
 * Keyset paging for every list: rows come in the order of their key columns, a page is read with
 * `limit + 1` rows (the extra one tells whether more follow), and the cursor is the key of a
 * page's last row. Cursors are opaque to clients and checked when they come back: one that this
 * server did not make is refused, not trusted.
 */
import { sql, type SelectQueryBuilder } from 'kysely'

export interface PageRequest {
  cursor?: string | undefined
  limit: number
}

export interface Page<T> {
  items: T[]
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null
}

type KeyValue = string | number

const MAX_CURSOR_CHARS = 400

export function encodeCursor(values: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

/** A sort key: its column, and whether its values are text or integers. */
export type PageKey = readonly [column: string, type: 'text' | 'integer']

export function decodeCursor(cursor: string, keys: readonly PageKey[]): KeyValue[] | null {
  if (cursor.length > MAX_CURSOR_CHARS) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (!Array.isArray(value) || value.length !== keys.length) return null
    const fits = value.every((v, i) =>
      keys[i]![1] === 'text' ? typeof v === 'string' && v.length <= 200 : Number.isSafeInteger(v) && Math.abs(v) < 2 ** 31,
    )
    return fits ? (value as KeyValue[]) : null
  } catch {
    // Not base64url JSON: a made-up cursor.
    return null
  }
}

/**
 * Reads one page of `query`, ordered by `keys` (ascending; together they must be unique).
 * Answers null when the cursor is not one of ours.
 */
export async function readPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  pageKeys: readonly PageKey[],
  keyOf: (row: O) => KeyValue[],
  page: PageRequest,
): Promise<Page<O> | null> {
  let q = query
  const keys = pageKeys.map(([column]) => column)
  if (page.cursor !== undefined) {
    const after = decodeCursor(page.cursor, pageKeys)
    if (!after) return null
    // (k1, k2, …) > (v1, v2, …), spelt out: row-value comparison is not portable to every engine.
    const clauses = keys.map((_, i) => {
      const equal = keys.slice(0, i).map((k, j) => sql`${sql.ref(k)} = ${after[j]}`)
      return sql.join([...equal, sql`${sql.ref(keys[i]!)} > ${after[i]}`], sql` and `)
    })
    q = q.where(sql<boolean>`(${sql.join(clauses.map((c) => sql`(${c})`), sql` or `)})`)
  }
  for (const key of keys) q = q.orderBy(sql.ref(key))
  const rows = await q.limit(page.limit + 1).execute()
  const items = rows.slice(0, page.limit)
  const last = items[items.length - 1]
  return { items, nextCursor: rows.length > page.limit && last !== undefined ? encodeCursor(keyOf(last)) : null }
}

/** Maps the rows of a page. */
export function mapPage<A, B>(page: Page<A>, fn: (row: A) => B): Page<B> {
  return { items: page.items.map(fn), nextCursor: page.nextCursor }
}
