/** Frozen asset versions and their review: the immutable input of workflow and publication. */
import type { Selectable } from 'kysely'
import type { ProseMirrorJSON } from '../../shared/schema.js'
import type { OpenDatabase } from './db.js'
import { mapPage, readPage, type Page, type PageRequest } from './paging.js'
import { nowIso } from './rows.js'
import type { AssetVersionTable } from './schema.js'

export type VersionStatus = 'pending' | 'approved' | 'rejected'

export interface AssetVersion {
  assetId: string
  version: number
  status: VersionStatus
  fields: Record<string, unknown>
  body: ProseMirrorJSON | null
  collection: unknown
  fileVersion: number | null
  createdBy: string
  createdAt: string
  reviewedBy: string | null
  reviewedAt: string | null
  reviewComment: string | null
}

export interface NewVersion {
  assetId: string
  status: VersionStatus
  ydoc: Uint8Array
  fields: Record<string, unknown>
  body: ProseMirrorJSON | null
  collection: unknown
  fileVersion: number | null
  createdBy: string
}

export interface VersionStore {
  /** Records a frozen version, numbered one past the newest, and sets the asset's status to match. */
  createVersion(input: NewVersion): Promise<AssetVersion>
  listVersions(assetId: string, page: PageRequest): Promise<Page<AssetVersion> | null>
  getVersion(assetId: string, version: number): Promise<AssetVersion | null>
  /** Decides a pending version; null if it is not pending (any more). */
  review(assetId: string, version: number, decision: { status: 'approved' | 'rejected'; reviewer: string; comment: string }): Promise<AssetVersion | null>
  /** The newest approved version: what a publication puts live. */
  newestApproved(assetId: string): Promise<AssetVersion | null>
  /** Versions waiting for review in these libraries, oldest first. */
  pendingIn(libraryIds: readonly string[], page: PageRequest): Promise<Page<AssetVersion & { libraryId: string; title: string }> | null>
}

const ASSET_STATUS_OF: Record<VersionStatus, string> = { pending: 'pending', approved: 'approved', rejected: 'draft' }

export function createVersionStore({ db, dialect }: OpenDatabase): VersionStore {
  const store: VersionStore = {
    async createVersion(input) {
      return db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') await trx.selectFrom('assets').select('id').where('id', '=', input.assetId).forUpdate().execute()
        const last = await trx
          .selectFrom('asset_versions')
          .select((eb) => eb.fn.max('version').as('max'))
          .where('asset_id', '=', input.assetId)
          .executeTakeFirst()
        const row: Selectable<AssetVersionTable> = {
          asset_id: input.assetId,
          version: Number(last?.max ?? 0) + 1,
          status: input.status,
          ydoc: input.ydoc,
          fields_json: JSON.stringify(input.fields),
          body_json: input.body === null ? null : JSON.stringify(input.body),
          collection_json: input.collection === undefined || input.collection === null ? null : JSON.stringify(input.collection),
          file_version: input.fileVersion,
          created_by: input.createdBy,
          created_at: nowIso(),
          reviewed_by: null,
          reviewed_at: null,
          review_comment: null,
        }
        await trx.insertInto('asset_versions').values(row).execute()
        await trx
          .updateTable('assets')
          .set({ status: ASSET_STATUS_OF[input.status], updated_at: row.created_at })
          .where('id', '=', input.assetId)
          .execute()
        return toVersion(row)
      })
    },

    async listVersions(assetId, page) {
      const query = db.selectFrom('asset_versions').selectAll().where('asset_id', '=', assetId)
      const rows = await readPage(query, [['version', 'integer']], (r) => [r.version], page)
      return rows && mapPage(rows, toVersion)
    },

    async getVersion(assetId, version) {
      const row = await db.selectFrom('asset_versions').selectAll().where('asset_id', '=', assetId).where('version', '=', version).executeTakeFirst()
      return row ? toVersion(row) : null
    },

    async review(assetId, version, { status, reviewer, comment }) {
      return db.transaction().execute(async (trx) => {
        const at = nowIso()
        const result = await trx
          .updateTable('asset_versions')
          .set({ status, reviewed_by: reviewer, reviewed_at: at, review_comment: comment })
          .where('asset_id', '=', assetId)
          .where('version', '=', version)
          .where('status', '=', 'pending')
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) return null
        // The asset follows its newest version's decision; an older one decided later changes nothing.
        const newest = await trx
          .selectFrom('asset_versions')
          .select((eb) => eb.fn.max('version').as('max'))
          .where('asset_id', '=', assetId)
          .executeTakeFirst()
        if (Number(newest?.max) === version) {
          await trx.updateTable('assets').set({ status: ASSET_STATUS_OF[status], updated_at: at }).where('id', '=', assetId).execute()
        }
        const row = await trx.selectFrom('asset_versions').selectAll().where('asset_id', '=', assetId).where('version', '=', version).executeTakeFirstOrThrow()
        return toVersion(row)
      })
    },

    async newestApproved(assetId) {
      const row = await db
        .selectFrom('asset_versions')
        .selectAll()
        .where('asset_id', '=', assetId)
        .where('status', '=', 'approved')
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst()
      return row ? toVersion(row) : null
    },

    async pendingIn(libraryIds, page) {
      if (libraryIds.length === 0) return { items: [], nextCursor: null }
      const query = db
        .selectFrom('asset_versions')
        .innerJoin('assets', 'assets.id', 'asset_versions.asset_id')
        .selectAll('asset_versions')
        .select(['assets.library_id', 'assets.title'])
        .where('asset_versions.status', '=', 'pending')
        .where('assets.library_id', 'in', [...libraryIds])
      const rows = await readPage(
        query,
        [
          ['asset_versions.created_at', 'text'],
          ['asset_versions.asset_id', 'text'],
          ['asset_versions.version', 'integer'],
        ],
        (r) => [r.created_at, r.asset_id, r.version],
        page,
      )
      return rows && mapPage(rows, (r) => ({ ...toVersion(r), libraryId: r.library_id, title: r.title }))
    },
  }
  return store
}

function toVersion(row: Selectable<AssetVersionTable>): AssetVersion {
  return {
    assetId: row.asset_id,
    version: row.version,
    status: row.status as VersionStatus,
    fields: JSON.parse(row.fields_json) as Record<string, unknown>,
    body: row.body_json === null ? null : (JSON.parse(row.body_json) as ProseMirrorJSON),
    collection: row.collection_json === null ? null : JSON.parse(row.collection_json),
    fileVersion: row.file_version,
    createdBy: row.created_by,
    createdAt: row.created_at,
    reviewedBy: row.reviewed_by,
    reviewedAt: row.reviewed_at,
    reviewComment: row.review_comment,
  }
}
