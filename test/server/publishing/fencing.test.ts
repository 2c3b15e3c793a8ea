import { pino } from 'pino'
import { describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { createMemoryBus } from '../../../server/cluster/events.js'
import { createMemoryLocks } from '../../../server/cluster/memory-locks.js'
import type { Locks } from '../../../server/cluster/types.js'
import { parseConfig } from '../../../server/config.js'
import { createPublisher, type PublicationEvent } from '../../../server/publishing/publisher.js'
import { createRemoteClient } from '../../../server/publishing/remote.js'
import { createBlobStore } from '../../../server/blobs/blob-store.js'
import { createAssetStore } from '../../../server/store/asset-store.js'
import { openDatabase } from '../../../server/store/db.js'
import { createFileStore } from '../../../server/store/file-store.js'
import { createLibraryStore } from '../../../server/store/library-store.js'
import { createLiveStore } from '../../../server/store/live-store.js'
import { createTranslationStore } from '../../../server/store/translation-store.js'
import { createVersionStore } from '../../../server/store/version-store.js'
import { createId } from '../../../shared/ids.js'
import { testDatabaseEnv } from '../../helpers/database.js'
import { STORE_KINDS } from '../../helpers/env.js'

describe.each(STORE_KINDS)('the publication lock on %s', (kind) => {
  it('keeps a holder that stalled past its TTL from committing over a newer publication', async () => {
    const env = testDatabaseEnv(kind)
    const parsed = parseConfig({ AUTH_SECRET: 'x'.repeat(32), ...env })
    if (!parsed.ok) throw new Error(parsed.errors.join())
    const database = await openDatabase(parsed.config.store)
    onTestFinished(() => database.destroy())
    const libraries = createLibraryStore(database)
    const assets = createAssetStore(database)
    const versions = createVersionStore(database)
    const live = createLiveStore(database)
    let now = 1_000_000
    const memory = createMemoryLocks(() => now)
    // A holder that stalls: by the time it checks its lease before committing, the TTL has passed
    // and another publisher holds the lock.
    const stalling: Locks = {
      async tryAcquire(name, ttl) {
        const lease = await memory.tryAcquire(name, ttl)
        if (!lease) return null
        return {
          ...lease,
          async isHeld() {
            now += 10 * 60_000
            await memory.tryAcquire(name, 60_000)
            return lease.isHeld()
          },
        }
      },
      destroy: () => memory.destroy(),
    }
    const events: PublicationEvent[] = []
    const bus = createMemoryBus<PublicationEvent>()
    bus.subscribe((e) => events.push(e))
    const publisher = createPublisher({
      live,
      versions,
      assets,
      files: createFileStore(database),
      translations: createTranslationStore(database),
      blobs: createBlobStore({ dir: `${env.DATA_DIR}/blobs` }),
      remote: createRemoteClient(),
      locks: stalling,
      events: bus,
      logger: pino({ level: 'silent' }),
    })

    const libraryId = createId('lib')
    await libraries.createLibrary({ id: libraryId, name: 'L', description: '', ownerId: 'owner' })
    const assetId = createId('ast')
    await assets.createAsset({ id: assetId, libraryId, type: 'web-content', title: 'T', createdBy: 'owner', initialUpdate: Y.encodeStateAsUpdate(new Y.Doc()) })
    await versions.createVersion({
      assetId,
      status: 'approved',
      ydoc: Y.encodeStateAsUpdate(new Y.Doc()),
      fields: { title: 'T' },
      body: { type: 'doc', content: [{ type: 'paragraph' }] },
      collection: null,
      fileVersion: null,
      createdBy: 'owner',
    })

    const result = await publisher.publish({ libraryId, request: { mode: 'asset', assetIds: [assetId] }, userId: 'owner' })
    expect(result.ok && result.publication).toMatchObject({ status: 'failed', error: expect.stringContaining('lock expired') })
    expect(await live.currentGeneration(libraryId)).toBe(0)
    expect(await live.liveAsset(libraryId, assetId)).toBeNull()
    expect(events).toEqual([])
  })
})
