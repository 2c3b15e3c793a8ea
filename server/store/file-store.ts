/** File versions of document assets, and check-outs: one user's exclusive right to upload. */
import type { OpenDatabase } from './db.js'
import { mapPage, readPage, type Page, type PageRequest } from './paging.js'
import type { CheckoutTable, FileVersionTable } from './schema.js'

export interface FileVersion {
  assetId: string
  version: number
  blobHash: string
  size: number
  contentType: string
  filename: string
  createdBy: string
  createdAt: string
}

export interface Checkout {
  assetId: string
  userId: string
  expiresAt: string
  createdAt: string
}

export type CheckoutResult = { ok: true; checkout: Checkout } | { ok: false; heldBy: Checkout }

export interface FileStore {
  /** Records a new version, numbered one past the newest, unless someone else holds a live check-out. */
  addVersion(input: Omit<FileVersion, 'version' | 'createdAt'>, now?: Date): Promise<{ ok: true; version: FileVersion } | { ok: false; heldBy: Checkout }>
  listVersions(assetId: string, page: PageRequest): Promise<Page<FileVersion> | null>
  getVersion(assetId: string, version: number): Promise<FileVersion | null>
  latestVersion(assetId: string): Promise<FileVersion | null>
  /** Takes (or renews) the check-out unless another user holds one that has not expired; `force` takes it anyway. */
  checkout(assetId: string, userId: string, ttlMs: number, options?: { force?: boolean; now?: Date }): Promise<CheckoutResult>
  getCheckout(assetId: string, now?: Date): Promise<Checkout | null>
  /**
   * Ends a check-out, if it is still the one `holder` describes (who, since when); with `discard`,
   * the versions uploaded under it are removed.
   */
  release(assetId: string, options: { discard?: boolean; holder: Checkout }): Promise<{ released: Checkout | null; discarded: number }>
}

const CHECKOUT_ATTEMPTS = 3

export function createFileStore({ db, dialect }: OpenDatabase): FileStore {
  const store: FileStore = {
    async addVersion(input, now = new Date()) {
      return db.transaction().execute(async (trx) => {
        // Numbering is max + 1: on PostgreSQL, concurrent uploads wait for each other on the asset row.
        if (dialect === 'postgres') await trx.selectFrom('assets').select('id').where('id', '=', input.assetId).forUpdate().execute()
        const held = await trx.selectFrom('checkouts').selectAll().where('asset_id', '=', input.assetId).executeTakeFirst()
        if (held && held.user_id !== input.createdBy && held.expires_at > now.toISOString()) {
          return { ok: false, heldBy: toCheckout(held) } as const
        }
        const last = await trx
          .selectFrom('file_versions')
          .select((eb) => eb.fn.max('version').as('max'))
          .where('asset_id', '=', input.assetId)
          .executeTakeFirst()
        const row: FileVersionTable = {
          asset_id: input.assetId,
          version: Number(last?.max ?? 0) + 1,
          blob_hash: input.blobHash,
          size: input.size,
          content_type: input.contentType,
          filename: input.filename,
          created_by: input.createdBy,
          created_at: now.toISOString(),
        }
        await trx.insertInto('file_versions').values(row).execute()
        return { ok: true, version: toVersion(row) } as const
      })
    },

    async listVersions(assetId, page) {
      const query = db.selectFrom('file_versions').selectAll().where('asset_id', '=', assetId)
      const rows = await readPage(query, [['version', 'integer']], (r) => [r.version], page)
      return rows && mapPage(rows, toVersion)
    },

    async getVersion(assetId, version) {
      const row = await db.selectFrom('file_versions').selectAll().where('asset_id', '=', assetId).where('version', '=', version).executeTakeFirst()
      return row ? toVersion(row) : null
    },

    async latestVersion(assetId) {
      const row = await db
        .selectFrom('file_versions')
        .selectAll()
        .where('asset_id', '=', assetId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst()
      return row ? toVersion(row) : null
    },

    async checkout(assetId, userId, ttlMs, { force = false, now = new Date() } = {}) {
      const at = now.toISOString()
      const expires = new Date(now.getTime() + ttlMs).toISOString()
      for (let attempt = 0; attempt < CHECKOUT_ATTEMPTS; attempt++) {
        // One statement, so that two users racing for a free document cannot both win: an existing
        // row is only taken over when it has expired, is ours, or the caller forces it.
        const row = await db
          .insertInto('checkouts')
          .values({ asset_id: assetId, user_id: userId, expires_at: expires, created_at: at })
          .onConflict((oc) =>
            oc
              .column('asset_id')
              .doUpdateSet({
                user_id: userId,
                expires_at: expires,
                created_at: (eb) =>
                  eb.case().when('checkouts.user_id', '=', userId).then(eb.ref('checkouts.created_at')).else(at).end(),
              })
              .where((eb) =>
                force ? eb.lit(true) : eb.or([eb('checkouts.expires_at', '<=', at), eb('checkouts.user_id', '=', userId)]),
              ),
          )
          .returningAll()
          .executeTakeFirst()
        if (row) return { ok: true, checkout: toCheckout(row) }
        const held = await store.getCheckout(assetId, now)
        if (held) return { ok: false, heldBy: held }
        // Released or expired between the two statements: try again.
      }
      throw new Error(`check-out of ${assetId} kept changing hands; gave up after ${CHECKOUT_ATTEMPTS} attempts`)
    },

    async getCheckout(assetId, now = new Date()) {
      const row = await db.selectFrom('checkouts').selectAll().where('asset_id', '=', assetId).executeTakeFirst()
      return row && row.expires_at > now.toISOString() ? toCheckout(row) : null
    },

    async release(assetId, { discard = false, holder }) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('checkouts')
          .selectAll()
          .where('asset_id', '=', assetId)
          .where('user_id', '=', holder.userId)
          .where('created_at', '=', holder.createdAt)
          .executeTakeFirst()
        if (!row) return { released: null, discarded: 0 }
        await trx.deleteFrom('checkouts').where('asset_id', '=', assetId).execute()
        let discarded = 0
        if (discard) {
          const result = await trx
            .deleteFrom('file_versions')
            .where('asset_id', '=', assetId)
            .where('created_by', '=', row.user_id)
            .where('created_at', '>=', row.created_at)
            .executeTakeFirst()
          discarded = Number(result.numDeletedRows)
        }
        return { released: toCheckout(row), discarded }
      })
    },
  }
  return store
}

function toVersion(row: FileVersionTable): FileVersion {
  return {
    assetId: row.asset_id,
    version: row.version,
    blobHash: row.blob_hash,
    size: Number(row.size),
    contentType: row.content_type,
    filename: row.filename,
    createdBy: row.created_by,
    createdAt: row.created_at,
  }
}

function toCheckout(row: CheckoutTable): Checkout {
  return { assetId: row.asset_id, userId: row.user_id, expiresAt: row.expires_at, createdAt: row.created_at }
}
