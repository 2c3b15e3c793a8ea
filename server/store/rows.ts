/** Shared helpers for the row stores. */

export const nowIso = (): string => new Date().toISOString()

export const asFlag = (value: boolean): number => (value ? 1 : 0)

/** Kysely's count comes back as a number (SQLite) or a string (PostgreSQL). */
export const countOf = (row: { n: number | string | bigint }): number => Number(row.n)

/**
 * An opaque page cursor: the sort key of the last row of a page. Only ever read back by the
 * server, but still checked: a cursor a client made up is refused, not trusted.
 */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url')
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (!Array.isArray(value) || value.length !== 2) return null
    const [createdAt, id] = value
    if (typeof createdAt !== 'string' || typeof id !== 'string' || createdAt.length > 40 || id.length > 40) return null
    return { createdAt, id }
  } catch {
    // Not base64url JSON: a made-up cursor.
    return null
  }
}
