/** Shared helpers for the row stores. */

export const nowIso = (): string => new Date().toISOString()

export const asFlag = (value: boolean): number => (value ? 1 : 0)

/** Kysely's count comes back as a number (SQLite) or a string (PostgreSQL). */
export const countOf = (row: { n: number | string | bigint }): number => Number(row.n)
