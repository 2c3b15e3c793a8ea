/**
 * Publishing: turns approved versions into a new generation of the live store, under the
 * library's publication lock, and records the process. One publication runs per library at a
 * time; the lock's token is checked again inside the committing transaction, so a holder that
 * stalled past its TTL cannot overwrite a newer publication. Everything a publication writes
 * becomes visible to sites at once, in the transaction that switches the library's generation,
 * or not at all.
 */
import type { EventBus } from '../cluster/events.js'
import { whileRenewing, type LockLease, type Locks } from '../cluster/types.js'
import { referencedAssets, renderHtml } from '../content/render-html.js'
import type { Logger } from '../logger.js'
import type { AssetStore } from '../store/asset-store.js'
import type { FileStore } from '../store/file-store.js'
import type { LiveEntry, LiveFile, LiveStore, LiveTranslation, Publication, PublicationRequest } from '../store/live-store.js'
import type { TranslationStore } from '../store/translation-store.js'
import type { BlobStore } from '../blobs/blob-store.js'
import { RemoteError, type RemoteClient } from './remote.js'
import type { RemoteTarget } from '../store/live-store.js'
import type { AssetVersion, VersionStore } from '../store/version-store.js'

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
  | { reason: 'nothing_to_publish' }
  | { reason: 'unknown_assets'; assetIds: string[] }
  | { reason: 'no_such_version'; assetId: string; version: number }
  | { reason: 'no_remote_target' }
  | { reason: 'remote_failed'; message: string }

/** Work a library holds that sites do not see yet. */
export interface UnpublishedChange {
  assetId: string
  change: 'approved' | 'pending' | 'deleted'
  version: number | null
}

export type PublishResult = { ok: true; publication: Publication } | ({ ok: false } & PublishRefusal)

/** Named places where a test can make a publication fail, to prove that nothing half-done shows. */
export type Failpoint = 'publish-before-switch'

export interface PublisherDeps {
  live: LiveStore
  versions: VersionStore
  assets: AssetStore
  files: FileStore
  translations: TranslationStore
  blobs: BlobStore
  remote: RemoteClient
  locks: Locks
  events: EventBus<PublicationEvent>
  logger: Logger
  failpoints?: ReadonlySet<Failpoint>
  /** Told how each publication ended and how long it took (metrics). */
  onFinished?: (status: 'succeeded' | 'failed', durationMs: number) => void
}

/** A publication lock outlives any sane publication; the holder renews nothing. */
const PUBLICATION_LOCK_TTL_MS = 120_000
/** How often, and how far apart, a request that meets the lock looks for the publication holding it. */
const BUSY_LOOKS = 5
const BUSY_LOOK_DELAY_MS = 20
/** Timers cannot wait longer; a later schedule is re-armed when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1

class LostLockError extends Error {
  constructor() {
    super('the publication lock expired before the commit; nothing was published')
  }
}

interface Plan {
  /** Versions to put live, by asset. */
  put: Map<string, AssetVersion>
  /** Assets to take down (deleted from the library since they went live). */
  remove: string[]
}

export function createPublisher(deps: PublisherDeps) {
  const { live, versions, assets, files, translations, blobs, remote, locks, events, logger } = deps
  const failpoints = deps.failpoints ?? new Set<Failpoint>()
  const timers = new Map<string, ReturnType<typeof setTimeout>>()

  async function entryFor(assetId: string, version: AssetVersion): Promise<LiveEntry> {
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
      translations: await approvedTranslations(assetId),
    }
  }

  /** Approved translations go live with their asset. */
  async function approvedTranslations(assetId: string): Promise<Record<string, LiveTranslation>> {
    const result: Record<string, LiveTranslation> = {}
    for (const translation of await translations.list(assetId)) {
      if (!translation.approved) continue
      const { fields, body } = translation.approved
      result[translation.locale] = { fields, body, html: body === null ? null : renderHtml(body) }
    }
    return result
  }

  /** What a version points at: a manual collection's items, and the documents its body shows as images. */
  function references(version: AssetVersion): string[] {
    const spec = version.collection as { kind?: string; items?: unknown } | null
    const items = spec?.kind === 'manual' && Array.isArray(spec.items) ? spec.items.filter((id): id is string => typeof id === 'string') : []
    return [...items, ...referencedAssets(version.body)]
  }

  /**
   * Closes the plan over references: a manual collection or a body with library images going live
   * brings along what it points at that is not live yet, if it has an approved version
   * (`include`), or the plan fails with the list.
   */
  async function closeReferences(libraryId: string, plan: Plan, include: boolean, liveNow: ReadonlyMap<string, number | null>) {
    const removing = new Set(plan.remove)
    const dangling = new Map<string, string[]>()
    const queue = [...plan.put.entries()]
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [collectionId, version] = next
      for (const item of references(version)) {
        if (plan.put.has(item) || (liveNow.has(item) && !removing.has(item))) continue
        const approved = include && !removing.has(item) ? await versions.newestApproved(item) : null
        const sameLibrary = approved ? (await assets.getAsset(item))?.libraryId === libraryId : false
        if (approved && sameLibrary) {
          plan.put.set(item, approved)
          queue.push([item, approved])
        } else {
          dangling.set(collectionId, [...(dangling.get(collectionId) ?? []), item])
        }
      }
    }
    return [...dangling].map(([collection, missing]) => ({ collection, missing }))
  }

  /** What a request would publish now; a scheduled publication plans again when it runs. */
  async function plan(
    libraryId: string,
    request: PublicationRequest,
    target: RemoteTarget | null,
  ): Promise<{ ok: true; plan: Plan } | ({ ok: false } & PublishRefusal)> {
    const result: Plan = { put: new Map(), remove: [] }
    // What is live where this publication goes: here, or on the other instance.
    const liveNow = target ? await remote.liveState(target) : await live.liveState(libraryId)
    const existing = new Set(await assets.allIds(libraryId))
    switch (request.mode) {
      case 'simple': {
        // Every asset whose newest approved version is not the one live, and every deletion.
        for (const id of existing) {
          const approved = await versions.newestApproved(id)
          if (approved && liveNow.get(id) !== approved.version) result.put.set(id, approved)
        }
        for (const id of liveNow.keys()) if (!existing.has(id)) result.remove.push(id)
        break
      }
      case 'advanced':
      case 'asset': {
        let ids = request.assetIds ?? []
        if (request.since !== undefined) {
          const since = request.since
          ids = []
          for (const id of existing) {
            const approved = await versions.newestApproved(id)
            if (approved && approved.createdAt >= since && liveNow.get(id) !== approved.version) ids.push(id)
          }
        }
        const unknown = ids.filter((id) => !existing.has(id) && !liveNow.has(id))
        if (unknown.length > 0) return { ok: false, reason: 'unknown_assets', assetIds: unknown }
        const notApproved: string[] = []
        for (const id of ids) {
          if (!existing.has(id)) {
            result.remove.push(id)
            continue
          }
          const approved = await versions.newestApproved(id)
          if (approved) result.put.set(id, approved)
          else notApproved.push(id)
        }
        if (notApproved.length > 0) return { ok: false, reason: 'not_approved', assetIds: notApproved }
        break
      }
      case 'import':
        return { ok: false, reason: 'nothing_to_publish' }
      case 'restore': {
        const [id] = request.assetIds ?? []
        const version = id && request.restoreVersion !== undefined ? await versions.getVersion(id, request.restoreVersion) : null
        if (!id || !version || version.status !== 'approved') {
          return { ok: false, reason: 'no_such_version', assetId: id ?? '', version: request.restoreVersion ?? 0 }
        }
        result.put.set(id, version)
        break
      }
    }
    if (result.put.size === 0 && result.remove.length === 0) return { ok: false, reason: 'nothing_to_publish' }
    // The simple mode publishes everything changed, so it may include what collections need; an
    // advanced publication names its assets, and brings along members that have approved versions.
    const references = await closeReferences(libraryId, result, true, liveNow)
    if (references.length > 0) return { ok: false, reason: 'dangling_references', references }
    return { ok: true, plan: result }
  }

  /**
   * Takes the library's publication lock, or answers busy with the publication that holds it. The
   * holder records its publication just after taking the lock and releases the lock just after
   * finishing it, so a request that meets the lock without a running record looks again briefly.
   */
  async function takeLock(libraryId: string): Promise<{ ok: true; lease: LockLease } | ({ ok: false } & PublishRefusal)> {
    for (let attempt = 0; ; attempt++) {
      const lease = await locks.tryAcquire(`publish:${libraryId}`, PUBLICATION_LOCK_TTL_MS)
      if (lease) return { ok: true, lease }
      const running = await live.runningPublication(libraryId)
      if (running || attempt >= BUSY_LOOKS) return { ok: false, reason: 'busy', running }
      await new Promise((resolve) => setTimeout(resolve, BUSY_LOOK_DELAY_MS))
    }
  }

  async function execute(
    libraryId: string,
    request: PublicationRequest,
    userId: string,
    scheduled: Publication | null,
  ): Promise<PublishResult> {
    const taken = await takeLock(libraryId)
    if (!taken.ok) return taken
    const lease = taken.lease
    try {
      return await whileRenewing(lease, PUBLICATION_LOCK_TTL_MS, () => executeHolding(libraryId, request, userId, scheduled, lease))
    } finally {
      await lease.release()
    }
  }

  async function executeHolding(
    libraryId: string,
    request: PublicationRequest,
    userId: string,
    scheduled: Publication | null,
    lease: LockLease,
  ): Promise<PublishResult> {
    const target = request.target === 'remote' ? await live.getRemoteTarget(libraryId) : null
    if (request.target === 'remote' && !target) return { ok: false, reason: 'no_remote_target' }
    // Recorded as running before anything else, so that a concurrent request's 409 can name it.
    const startedAt = Date.now()
    const running = scheduled
      ? await live.runScheduled(scheduled.id)
      : await live.startPublication({ libraryId, mode: target ? `${request.mode}:remote` : request.mode, assetIds: [], createdBy: userId })
    let planned: Awaited<ReturnType<typeof plan>>
    try {
      planned = await plan(libraryId, request, target)
    } catch (error) {
      if (!(error instanceof RemoteError)) {
        await live.finishPublication(running.id, { status: 'failed', error: error instanceof Error ? error.message : String(error), startedAt })
        throw error
      }
      planned = { ok: false, reason: 'remote_failed', message: error.message }
    }
    if (!planned.ok) {
      // A scheduled publication keeps its record, failed; a refused request leaves none.
      if (scheduled) await live.finishPublication(scheduled.id, { status: 'failed', error: describeRefusal(planned), startedAt })
      else await live.deletePublication(running.id)
      return planned
    }
    const { put, remove } = planned.plan
    const assetIds = [...put.keys(), ...remove]
    const publication = await live.setPublicationAssets(running.id, assetIds)
    try {
      const entries: LiveEntry[] = []
      for (const [id, version] of put) entries.push(await entryFor(id, version))
      for (const id of remove) entries.push({ kind: 'delete', assetId: id })
      const generation = target
        ? await sendToRemote(target, entries, lease)
        : (
            await live.writeGeneration(libraryId, entries, userId, async () => {
              if (failpoints.has('publish-before-switch')) throw new Error('failpoint publish-before-switch')
              if (!(await lease.isHeld())) throw new LostLockError()
            })
          ).generation
      const done = await live.finishPublication(publication.id, { status: 'succeeded', generation, startedAt })
      deps.onFinished?.('succeeded', Date.now() - startedAt)
      // The other instance tells its own sites; only a local publication is ours to announce.
      if (!target) events.publish({ libraryId, publicationId: done.id, generation, assetIds, publishedAt: done.finishedAt ?? new Date().toISOString() })
      logger.info({ library: libraryId, publication: done.id, generation, assets: assetIds.length, remote: target?.url }, 'published')
      return { ok: true, publication: done }
    } catch (error) {
      const failed = await live.finishPublication(publication.id, {
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
        startedAt,
      })
      logger.error({ library: libraryId, publication: failed.id, err: error }, 'publication failed')
      deps.onFinished?.('failed', Date.now() - startedAt)
      return { ok: true, publication: failed }
    }
  }

  /** Files first (by hash), then the generation, which the other instance commits all or nothing. */
  async function sendToRemote(target: RemoteTarget, entries: readonly LiveEntry[], lease: { isHeld(): Promise<boolean> }): Promise<number> {
    for (const entry of entries) {
      if (entry.kind === 'put' && entry.file) await remote.putBlob(target, entry.file.blobHash, blobs.open(entry.file.blobHash), entry.file.size)
    }
    if (!(await lease.isHeld())) throw new LostLockError()
    return (await remote.importGeneration(target, entries)).generation
  }

  /**
   * Receives a generation from another instance (Remote Live): written here all or nothing under
   * this library's publication lock, and announced to this instance's sites.
   */
  async function importGeneration(libraryId: string, entries: readonly LiveEntry[], userId: string): Promise<PublishResult> {
    const taken = await takeLock(libraryId)
    if (!taken.ok) return taken
    const lease = taken.lease
    try {
      const assetIds = entries.map((e) => e.assetId)
      const startedAt = Date.now()
      const publication = await live.startPublication({ libraryId, mode: 'import', assetIds, createdBy: userId })
      try {
        const { generation } = await live.writeGeneration(libraryId, entries, userId, async () => {
          if (!(await lease.isHeld())) throw new LostLockError()
        })
        const done = await live.finishPublication(publication.id, { status: 'succeeded', generation, startedAt })
        events.publish({ libraryId, publicationId: done.id, generation, assetIds, publishedAt: done.finishedAt ?? new Date().toISOString() })
        return { ok: true, publication: done }
      } catch (error) {
        const failed = await live.finishPublication(publication.id, { status: 'failed', error: error instanceof Error ? error.message : String(error), startedAt })
        return { ok: true, publication: failed }
      }
    } finally {
      await lease.release()
    }
  }

  function arm(publication: Publication): void {
    if (!publication.scheduledAt || timers.has(publication.id)) return
    const wait = Math.max(0, new Date(publication.scheduledAt).getTime() - Date.now())
    const timer = setTimeout(() => {
      timers.delete(publication.id)
      if (wait > MAX_TIMER_MS) {
        arm(publication)
        return
      }
      void execute(publication.libraryId, publication.request ?? { mode: 'simple' }, publication.createdBy, publication).then(
        (result) => {
          if (!result.ok && result.reason === 'busy') {
            // Another publication holds the library: try again shortly rather than drop the schedule.
            setTimeout(() => arm({ ...publication, scheduledAt: new Date(Date.now() + 1000).toISOString() }), 0)
          }
        },
        (error: unknown) => logger.error({ publication: publication.id, err: error }, 'scheduled publication failed'),
      )
    }, Math.min(wait, MAX_TIMER_MS))
    timer.unref()
    timers.set(publication.id, timer)
  }

  return {
    /** What a library holds that is not live: approved or pending versions, and deletions. */
    async unpublishedChanges(libraryId: string): Promise<UnpublishedChange[]> {
      const liveNow = await live.liveState(libraryId)
      const existing = await assets.allIds(libraryId)
      const changes: UnpublishedChange[] = []
      for (const id of existing) {
        const history = (await versions.listVersions(id, { limit: 100 }))?.items ?? []
        const newest = history[history.length - 1]
        const approved = [...history].reverse().find((v) => v.status === 'approved')
        if (newest?.status === 'pending') changes.push({ assetId: id, change: 'pending', version: newest.version })
        if (approved && liveNow.get(id) !== approved.version) changes.push({ assetId: id, change: 'approved', version: approved.version })
      }
      const present = new Set(existing)
      for (const id of liveNow.keys()) if (!present.has(id)) changes.push({ assetId: id, change: 'deleted', version: null })
      return changes
    },

    /** Validates and publishes now; a refusal writes nothing. */
    publish(input: { libraryId: string; request: PublicationRequest; userId: string }): Promise<PublishResult> {
      return execute(input.libraryId, input.request, input.userId, null)
    },

    importGeneration,

    /** Checks the request now, records it, and runs it (checked again) at its time. */
    async schedule(input: { libraryId: string; request: PublicationRequest; userId: string; at: Date }): Promise<PublishResult> {
      const target = input.request.target === 'remote' ? await live.getRemoteTarget(input.libraryId) : null
      if (input.request.target === 'remote' && !target) return { ok: false, reason: 'no_remote_target' }
      const planned = await plan(input.libraryId, input.request, target)
      if (!planned.ok) return planned
      const publication = await live.schedulePublication({
        libraryId: input.libraryId,
        request: input.request,
        scheduledAt: input.at.toISOString(),
        createdBy: input.userId,
      })
      arm(publication)
      return { ok: true, publication }
    },

    /**
     * Arms the timers of publications scheduled before this node started, and closes the records
     * of publications a stopped node left running (past the lock's TTL, nobody can still hold them).
     */
    async start(): Promise<void> {
      const interrupted = await live.failInterrupted(new Date(Date.now() - PUBLICATION_LOCK_TTL_MS).toISOString())
      if (interrupted > 0) logger.warn({ publications: interrupted }, 'marked interrupted publications as failed')
      for (const publication of await live.listScheduled()) arm(publication)
    },

    stop(): void {
      for (const timer of timers.values()) clearTimeout(timer)
      timers.clear()
    },
  }
}

export function describeRefusal(refusal: PublishRefusal): string {
  switch (refusal.reason) {
    case 'busy':
      return `a publication is running${refusal.running ? `: ${refusal.running.id}` : ''}`
    case 'not_approved':
      return `no approved version to publish for ${refusal.assetIds.join(', ')}`
    case 'dangling_references':
      return `collections would point at assets that are not live and have no approved version: ${refusal.references
        .map((r) => `${r.collection} → ${r.missing.join(', ')}`)
        .join('; ')}`
    case 'nothing_to_publish':
      return 'nothing has changed since the last publication'
    case 'unknown_assets':
      return `not assets of this library: ${refusal.assetIds.join(', ')}`
    case 'no_such_version':
      return `${refusal.assetId} has no approved version ${refusal.version} to restore`
    case 'no_remote_target':
      return 'this library has no Remote Live target: PUT /libraries/:lib/remote first'
    case 'remote_failed':
      return refusal.message
  }
}

export type Publisher = ReturnType<typeof createPublisher>
