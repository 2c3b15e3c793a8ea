/**
 * The durable form of every collaborative document: an append-only log of Yjs updates that the
 * server's own documents emitted, compacted now and then into one merged update.
 *
 * Merging is only safe because every row was produced by a server-side Y.Doc: a client's raw
 * bytes could be crafted to make a merge run for seconds, and they never reach this table.
 */
import * as Y from 'yjs'
import { whileRenewing, type Locks } from '../cluster/types.js'
import type { OpenDatabase } from './db.js'

export interface DocLogEntry {
  readonly doc: string
  readonly update: Uint8Array
}

export type CompactResult =
  | { status: 'compacted'; rowsMerged: number }
  | { status: 'nothing-to-do' }
  | { status: 'busy' }
  | { status: 'lost-lock' }

export interface DocLog {
  /** Every stored update of a document, merged state first; empty for a document never written. */
  load(doc: string): Promise<Uint8Array[]>
  /** Appends the entries in one transaction: all of them are durable when it resolves. */
  append(entries: readonly DocLogEntry[]): Promise<void>
  /** Merges the document's log into one row, under the compaction lock. */
  compact(doc: string): Promise<CompactResult>
}

const COMPACTION_LOCK_TTL_MS = 30_000
/** Bounds one transaction (and its `in` list, under SQLite's and PostgreSQL's parameter limits). */
const MAX_ROWS_PER_COMPACTION = 5000

class LostLockError extends Error {}

export function createDocLog(store: OpenDatabase, locks: Locks): DocLog {
  const { db } = store
  return {
    async load(doc) {
      const rows = await db.selectFrom('doc_updates').select('data').where('doc', '=', doc).orderBy('id').execute()
      return rows.map((row) => toUint8Array(row.data))
    },

    async append(entries) {
      if (entries.length === 0) return
      const createdAt = new Date().toISOString()
      await db
        .insertInto('doc_updates')
        .values(entries.map((e) => ({ doc: e.doc, data: e.update, created_at: createdAt })))
        .execute()
    },

    async compact(doc) {
      const lease = await locks.tryAcquire(`compact:${doc}`, COMPACTION_LOCK_TTL_MS)
      if (!lease) return { status: 'busy' }
      try {
        return await whileRenewing(lease, COMPACTION_LOCK_TTL_MS, () => db.transaction().execute(async (trx) => {
          const rows = await trx
            .selectFrom('doc_updates')
            .select(['id', 'data'])
            .where('doc', '=', doc)
            .orderBy('id')
            .limit(MAX_ROWS_PER_COMPACTION)
            .execute()
          if (rows.length < 2) return { status: 'nothing-to-do' } as const
          const merged = Y.mergeUpdates(rows.map((row) => toUint8Array(row.data)))
          // Fencing: a holder that stalled past its TTL must not overwrite a newer compaction.
          if (!(await lease.isHeld())) throw new LostLockError()
          // Exactly the rows merged: under READ COMMITTED a range delete could also take a row with
          // a lower id that another node committed after the select, and lose it.
          const ids = rows.map((row) => row.id)
          const deleted = await trx.deleteFrom('doc_updates').where('doc', '=', doc).where('id', 'in', ids).executeTakeFirst()
          // Another compaction took some of them meanwhile: start over rather than store them twice.
          if (Number(deleted.numDeletedRows) !== ids.length) throw new LostLockError()
          await trx
            .insertInto('doc_updates')
            .values({ doc, data: merged, created_at: new Date().toISOString() })
            .execute()
          return { status: 'compacted', rowsMerged: rows.length } as const
        }))
      } catch (error) {
        if (error instanceof LostLockError) return { status: 'lost-lock' }
        throw error
      } finally {
        await lease.release()
      }
    },
  }
}

/** better-sqlite3 and pg both hand back Buffers; Yjs wants plain Uint8Array views. */
function toUint8Array(data: Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
