/**
 * Publishing: turns approved versions into a new generation of the live store, under the
 * library's publication lock, and records the process. One publication runs per library at a
 * time; the lock's token is checked again inside the committing transaction, so a holder that
 * stalled past its TTL cannot overwrite a newer publication.
 */
import type { EventBus } from '../cluster/events.js'
import type { Locks } from '../cluster/types.js'
import { renderHtml } from '../content/render-html.js'
import type { Logger } from '../logger.js'
import type { FileStore } from '../store/file-store.js'
import type { LiveEntry, LiveFile, LiveStore, Publication } from '../store/live-store.js'
import type { VersionStore } from '../store/version-store.js'

export interface PublicationEvent {
  libraryId: string
  publicationId: string
  generation: number
  assetIds: string[]
  publishedAt: string
}

export type PublishRefusal =
  | { reason: 'busy'; running: Publication | null }
  | { reason: 'not_approved'; assetIds: string[] }
  | { reason: 'dangling_references'; references: { collection: string; missing: string[] }[] }

export type PublishResult = { ok: true; publication: Publication } | ({ ok: false } & PublishRefusal)

export interface PublisherDeps {
  live: LiveStore
  versions: VersionStore
  files: FileStore
  locks: Locks
  events: EventBus<PublicationEvent>
  logger: Logger
}

/** A publication lock outlives any sane publication; the holder renews nothing. */
const PUBLICATION_LOCK_TTL_MS = 120_000

class LostLockError extends Error {
  constructor() {
    super('the publication lock expired before the commit; nothing was published')
  }
}

export function createPublisher(deps: PublisherDeps) {
  const { live, versions, files, locks, events, logger } = deps

  async function entryFor(assetId: string): Promise<LiveEntry | null> {
    const version = await versions.newestApproved(assetId)
    if (!version) return null
    let file: LiveFile | null = null
    if (version.fileVersion !== null) {
      const stored = await files.getVersion(assetId, version.fileVersion)
      if (stored) {
        file = { version: stored.version, blobHash: stored.blobHash, size: stored.size, contentType: stored.contentType, filename: stored.filename }
      }
    }
    return {
      kind: 'put',
      assetId,
      sourceVersion: version.version,
      type: version.collection !== null ? 'collection' : version.body !== null ? 'web-content' : 'document',
      fields: version.fields,
      body: version.body,
      html: version.body === null ? null : renderHtml(version.body),
      collection: version.collection,
      file,
    }
  }

  /** Manual collections may only point at assets that are live, or go live in the same publication. */
  async function danglingReferences(libraryId: string, entries: readonly LiveEntry[]) {
    const publishing = new Set(entries.filter((e) => e.kind === 'put').map((e) => e.assetId))
    const found: { collection: string; missing: string[] }[] = []
    for (const entry of entries) {
      if (entry.kind !== 'put' || entry.type !== 'collection') continue
      const spec = entry.collection as { kind?: string; items?: unknown }
      if (spec.kind !== 'manual' || !Array.isArray(spec.items)) continue
      const items = spec.items.filter((id): id is string => typeof id === 'string')
      const alreadyLive = new Set((await live.liveAssets(libraryId, items)).map((a) => a.assetId))
      const missing = items.filter((id) => !publishing.has(id) && !alreadyLive.has(id))
      if (missing.length > 0) found.push({ collection: entry.assetId, missing })
    }
    return found
  }

  return {
    /**
     * Puts the newest approved version of each asset live, as one new generation. Assets without
     * an approved version, or collections that would point at assets that are not live, refuse the
     * whole publication: nothing is written.
     */
    async publish(input: { libraryId: string; mode: string; assetIds: string[]; userId: string }): Promise<PublishResult> {
      const lease = await locks.tryAcquire(`publish:${input.libraryId}`, PUBLICATION_LOCK_TTL_MS)
      if (!lease) {
        const running = (await live.listPublications(input.libraryId, { limit: 100 }))?.items.filter((p) => p.status === 'running').pop() ?? null
        return { ok: false, reason: 'busy', running }
      }
      try {
        const entries: LiveEntry[] = []
        const notApproved: string[] = []
        for (const assetId of input.assetIds) {
          const entry = await entryFor(assetId)
          if (entry) entries.push(entry)
          else notApproved.push(assetId)
        }
        if (notApproved.length > 0) return { ok: false, reason: 'not_approved', assetIds: notApproved }
        const references = await danglingReferences(input.libraryId, entries)
        if (references.length > 0) return { ok: false, reason: 'dangling_references', references }

        const startedAt = Date.now()
        const publication = await live.startPublication({ libraryId: input.libraryId, mode: input.mode, assetIds: input.assetIds, createdBy: input.userId })
        try {
          const { generation } = await live.writeGeneration(input.libraryId, entries, input.userId, async () => {
            if (!(await lease.isHeld())) throw new LostLockError()
          })
          const done = await live.finishPublication(publication.id, { status: 'succeeded', generation, startedAt })
          events.publish({
            libraryId: input.libraryId,
            publicationId: done.id,
            generation,
            assetIds: input.assetIds,
            publishedAt: done.finishedAt ?? new Date().toISOString(),
          })
          logger.info({ library: input.libraryId, publication: done.id, generation, assets: input.assetIds.length }, 'published')
          return { ok: true, publication: done }
        } catch (error) {
          await live.finishPublication(publication.id, { status: 'failed', error: error instanceof Error ? error.message : String(error), startedAt })
          throw error
        }
      } finally {
        await lease.release()
      }
    },
  }
}

export type Publisher = ReturnType<typeof createPublisher>
