/**
 * The live store: immutable rows that sites read, in generations. A publication writes the rows
 * of the assets it changes under the library's next generation and switches the library to it in
 * the same transaction, so readers see all of a publication or none of it. A reader takes, for
 * each asset, its newest row at or below the library's current generation.
 */
import type { Selectable } from 'kysely'
import { createId } from '../../shared/ids.js'
import type { ProseMirrorJSON } from '../../shared/schema.js'
import type { OpenDatabase } from './db.js'
import { mapPage, readPage, type Page, type PageRequest } from './paging.js'
import { nowIso } from './rows.js'
import type { LiveVersionTable, PublicationTable } from './schema.js'

export interface LiveFile {
  version: number
  blobHash: string
  size: number
  contentType: string
  filename: string
}

/** A translation that went live: its fields (over the source's) and body, with the body's HTML. */
export interface LiveTranslation {
  fields: Record<string, unknown>
  body: ProseMirrorJSON | null
  html: string | null
}

/** What a live version holds of its asset. */
export interface LiveContent {
  type: string
  fields: Record<string, unknown>
  body: ProseMirrorJSON | null
  html: string | null
  collection: unknown
  file: LiveFile | null
  translations: Record<string, LiveTranslation>
}

export interface LiveAsset extends LiveContent {
  libraryId: string
  assetId: string
  generation: number
  liveVersion: number
  sourceVersion: number | null
  publishedBy: string
  publishedAt: string
}

/** What a publication puts live for one asset, or takes down. */
export type LiveEntry = ({ kind: 'put'; assetId: string; sourceVersion: number } & LiveContent) | { kind: 'delete'; assetId: string }

export interface RemoteTarget {
  libraryId: string
  url: string
  remoteLibraryId: string
  token: string
}

export interface PublicationRequest {
  mode: 'asset' | 'simple' | 'advanced' | 'restore' | 'import'
  target?: 'local' | 'remote'
  assetIds?: string[]
  since?: string
  restoreVersion?: number
}

export interface Publication {
  id: string
  libraryId: string
  mode: string
  status: 'scheduled' | 'running' | 'succeeded' | 'failed'
  scheduledAt: string | null
  request: PublicationRequest | null
  assetIds: string[]
  generation: number | null
  error: string | null
  createdBy: string
  createdAt: string
  finishedAt: string | null
  durationMs: number | null
}

export interface LiveStore {
  /**
   * Writes the entries as the library's next generation and switches to it, in one transaction.
   * `check` runs inside that transaction before the switch (the publication lock's fencing check);
   * throwing from it rolls everything back.
   */
  writeGeneration(libraryId: string, entries: readonly LiveEntry[], publishedBy: string, check?: () => Promise<void>): Promise<{ generation: number; assets: LiveAsset[] }>
  currentGeneration(libraryId: string): Promise<number>
  getRemoteTarget(libraryId: string): Promise<RemoteTarget | null>
  setRemoteTarget(libraryId: string, target: Omit<RemoteTarget, 'libraryId'> | null): Promise<void>
  /** The library an asset was published from, if it ever was. */
  libraryOfLiveAsset(assetId: string): Promise<string | null>
  liveAsset(libraryId: string, assetId: string): Promise<LiveAsset | null>
  liveAssets(libraryId: string, assetIds: readonly string[]): Promise<LiveAsset[]>
  /** Every live row of an asset, newest first (deletions included as rows with `deleted`). */
  history(assetId: string): Promise<LiveAsset[]>

  /** The live assets of a library now, with the version each came from. */
  liveState(libraryId: string): Promise<Map<string, number | null>>
  startPublication(input: { libraryId: string; mode: string; assetIds: string[]; createdBy: string }): Promise<Publication>
  schedulePublication(input: { libraryId: string; request: PublicationRequest; scheduledAt: string; createdBy: string }): Promise<Publication>
  /** Marks a scheduled publication as running. */
  runScheduled(id: string): Promise<Publication>
  listScheduled(): Promise<Publication[]>
  runningPublication(libraryId: string): Promise<Publication | null>
  /** Marks publications still 'running' since before `before` as failed: their node stopped mid-way. */
  failInterrupted(before: string): Promise<number>
  /** Forgets a publication that was refused before it wrote anything. */
  deletePublication(id: string): Promise<void>
  /** Records which assets a running publication turned out to cover. */
  setPublicationAssets(id: string, assetIds: string[]): Promise<Publication>
  finishPublication(id: string, outcome: { status: 'succeeded' | 'failed'; generation?: number; error?: string; startedAt: number }): Promise<Publication>
  getPublication(libraryId: string, id: string): Promise<Publication | null>
  listPublications(libraryId: string, page: PageRequest): Promise<Page<Publication> | null>
}

export function createLiveStore({ db, dialect }: OpenDatabase): LiveStore {
  async function publicationById(id: string): Promise<Publication> {
    return toPublication(await db.selectFrom('publications').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  }

  async function insertPublication(input: {
    libraryId: string
    mode: string
    status: Publication['status']
    assetIds: string[]
    createdBy: string
    scheduledAt: string | null
    request: PublicationRequest | null
  }): Promise<Publication> {
    const row: Selectable<PublicationTable> = {
      id: createId('pub'),
      library_id: input.libraryId,
      mode: input.mode,
      status: input.status,
      asset_ids: JSON.stringify(input.assetIds),
      generation: null,
      error: null,
      created_by: input.createdBy,
      created_at: nowIso(),
      finished_at: null,
      duration_ms: null,
      scheduled_at: input.scheduledAt,
      request_json: input.request === null ? null : JSON.stringify(input.request),
    }
    await db.insertInto('publications').values(row).execute()
    return toPublication(row)
  }

  const store: LiveStore = {
    async writeGeneration(libraryId, entries, publishedBy, check) {
      return db.transaction().execute(async (trx) => {
        const lock = trx.selectFrom('libraries').select('live_generation').where('id', '=', libraryId)
        const library = await (dialect === 'postgres' ? lock.forUpdate() : lock).executeTakeFirstOrThrow()
        const generation = library.live_generation + 1
        const at = nowIso()
        const written: LiveAsset[] = []
        for (const entry of entries) {
          const previous = await trx
            .selectFrom('live_versions')
            .select((eb) => eb.fn.max('live_version').as('max'))
            .where('asset_id', '=', entry.assetId)
            .executeTakeFirst()
          const base = { library_id: libraryId, asset_id: entry.assetId, generation, published_by: publishedBy, published_at: at }
          const row: Selectable<LiveVersionTable> =
            entry.kind === 'put'
              ? {
                  ...base,
                  live_version: Number(previous?.max ?? 0) + 1,
                  deleted: 0,
                  source_version: entry.sourceVersion,
                  type: entry.type,
                  fields_json: JSON.stringify(entry.fields),
                  body_json: entry.body === null ? null : JSON.stringify(entry.body),
                  html: entry.html,
                  collection_json: entry.collection === null || entry.collection === undefined ? null : JSON.stringify(entry.collection),
                  file_json: entry.file === null ? null : JSON.stringify(entry.file),
                  translations_json: Object.keys(entry.translations).length === 0 ? null : JSON.stringify(entry.translations),
                }
              : {
                  ...base,
                  live_version: Number(previous?.max ?? 0),
                  deleted: 1,
                  source_version: null,
                  type: 'deleted',
                  fields_json: '{}',
                  body_json: null,
                  html: null,
                  collection_json: null,
                  file_json: null,
                  translations_json: null,
                }
          await trx.insertInto('live_versions').values(row).execute()
          if (entry.kind === 'put') written.push(toLive(row))
        }
        if (check) await check()
        await trx.updateTable('libraries').set({ live_generation: generation }).where('id', '=', libraryId).execute()
        return { generation, assets: written }
      })
    },

    async currentGeneration(libraryId) {
      const row = await db.selectFrom('libraries').select('live_generation').where('id', '=', libraryId).executeTakeFirst()
      return row?.live_generation ?? 0
    },

    async getRemoteTarget(libraryId) {
      const row = await db.selectFrom('remote_targets').selectAll().where('library_id', '=', libraryId).executeTakeFirst()
      return row ? { libraryId, url: row.url, remoteLibraryId: row.remote_library_id, token: row.token } : null
    },

    async setRemoteTarget(libraryId, target) {
      if (target === null) {
        await db.deleteFrom('remote_targets').where('library_id', '=', libraryId).execute()
        return
      }
      const values = { url: target.url, remote_library_id: target.remoteLibraryId, token: target.token, updated_at: nowIso() }
      await db
        .insertInto('remote_targets')
        .values({ library_id: libraryId, ...values })
        .onConflict((oc) => oc.column('library_id').doUpdateSet(values))
        .execute()
    },

    async libraryOfLiveAsset(assetId) {
      const row = await db.selectFrom('live_versions').select('library_id').where('asset_id', '=', assetId).limit(1).executeTakeFirst()
      return row?.library_id ?? null
    },

    async liveAsset(libraryId, assetId) {
      return (await store.liveAssets(libraryId, [assetId]))[0] ?? null
    },

    async liveAssets(libraryId, assetIds) {
      if (assetIds.length === 0) return []
      const generation = await store.currentGeneration(libraryId)
      const rows = await db
        .selectFrom('live_versions')
        .selectAll()
        .where('library_id', '=', libraryId)
        .where('asset_id', 'in', [...assetIds])
        .where('generation', '<=', generation)
        .orderBy('generation', 'desc')
        .execute()
      const newest = new Map<string, Selectable<LiveVersionTable>>()
      for (const row of rows) if (!newest.has(row.asset_id)) newest.set(row.asset_id, row)
      return assetIds.flatMap((id) => {
        const row = newest.get(id)
        return row && row.deleted === 0 ? [toLive(row)] : []
      })
    },

    async history(assetId) {
      const rows = await db.selectFrom('live_versions').selectAll().where('asset_id', '=', assetId).where('deleted', '=', 0).orderBy('generation', 'desc').execute()
      return rows.map(toLive)
    },

    async liveState(libraryId) {
      const generation = await store.currentGeneration(libraryId)
      const rows = await db
        .selectFrom('live_versions')
        .select(['asset_id', 'deleted', 'source_version', 'generation'])
        .where('library_id', '=', libraryId)
        .where('generation', '<=', generation)
        .orderBy('generation', 'desc')
        .execute()
      const seen = new Set<string>()
      const state = new Map<string, number | null>()
      for (const row of rows) {
        if (seen.has(row.asset_id)) continue
        seen.add(row.asset_id)
        if (row.deleted === 0) state.set(row.asset_id, row.source_version)
      }
      return state
    },

    async schedulePublication({ libraryId, request, scheduledAt, createdBy }) {
      return insertPublication({ libraryId, mode: request.mode, status: 'scheduled', assetIds: request.assetIds ?? [], createdBy, scheduledAt, request })
    },

    async runScheduled(id) {
      await db.updateTable('publications').set({ status: 'running' }).where('id', '=', id).execute()
      return publicationById(id)
    },

    async listScheduled() {
      return (await db.selectFrom('publications').selectAll().where('status', '=', 'scheduled').orderBy('scheduled_at').execute()).map(toPublication)
    },

    async runningPublication(libraryId) {
      const row = await db
        .selectFrom('publications')
        .selectAll()
        .where('library_id', '=', libraryId)
        .where('status', '=', 'running')
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst()
      return row ? toPublication(row) : null
    },

    async failInterrupted(before) {
      const result = await db
        .updateTable('publications')
        .set({ status: 'failed', error: 'interrupted: the node running it stopped; nothing of it went live', finished_at: nowIso() })
        .where('status', '=', 'running')
        .where('created_at', '<', before)
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    },

    async deletePublication(id) {
      await db.deleteFrom('publications').where('id', '=', id).execute()
    },

    async setPublicationAssets(id, assetIds) {
      await db.updateTable('publications').set({ asset_ids: JSON.stringify(assetIds) }).where('id', '=', id).execute()
      return publicationById(id)
    },

    async startPublication({ libraryId, mode, assetIds, createdBy }) {
      return insertPublication({ libraryId, mode, status: 'running', assetIds, createdBy, scheduledAt: null, request: null })
    },

    async finishPublication(id, { status, generation, error, startedAt }) {
      await db
        .updateTable('publications')
        .set({
          status,
          generation: generation ?? null,
          error: error ?? null,
          finished_at: nowIso(),
          duration_ms: Date.now() - startedAt,
        })
        .where('id', '=', id)
        .execute()
      return publicationById(id)
    },

    async getPublication(libraryId, id) {
      const row = await db.selectFrom('publications').selectAll().where('library_id', '=', libraryId).where('id', '=', id).executeTakeFirst()
      return row ? toPublication(row) : null
    },

    async listPublications(libraryId, page) {
      const query = db.selectFrom('publications').selectAll().where('library_id', '=', libraryId)
      const rows = await readPage(query, [['created_at', 'text'], ['id', 'text']], (r) => [r.created_at, r.id], page)
      return rows && mapPage(rows, toPublication)
    },
  }
  return store
}

function toLive(row: Selectable<LiveVersionTable>): LiveAsset {
  return {
    libraryId: row.library_id,
    assetId: row.asset_id,
    generation: row.generation,
    liveVersion: row.live_version,
    sourceVersion: row.source_version,
    type: row.type,
    fields: JSON.parse(row.fields_json) as Record<string, unknown>,
    body: row.body_json === null ? null : (JSON.parse(row.body_json) as ProseMirrorJSON),
    html: row.html,
    collection: row.collection_json === null ? null : JSON.parse(row.collection_json),
    file: row.file_json === null ? null : (JSON.parse(row.file_json) as LiveFile),
    translations: row.translations_json === null ? {} : (JSON.parse(row.translations_json) as Record<string, LiveTranslation>),
    publishedBy: row.published_by,
    publishedAt: row.published_at,
  }
}

function toPublication(row: Selectable<PublicationTable>): Publication {
  return {
    id: row.id,
    libraryId: row.library_id,
    mode: row.mode,
    status: row.status as Publication['status'],
    scheduledAt: row.scheduled_at,
    request: row.request_json === null ? null : (JSON.parse(row.request_json) as PublicationRequest),
    assetIds: JSON.parse(row.asset_ids) as string[],
    generation: row.generation,
    error: row.error,
    createdBy: row.created_by,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  }
}
