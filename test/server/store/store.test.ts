import { describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { createMemoryLocks } from '../../../server/cluster/memory-locks.js'
import { parseConfig } from '../../../server/config.js'
import { openDatabase, type OpenDatabase } from '../../../server/store/db.js'
import { createDocLog } from '../../../server/store/doc-log.js'
import { createLibraryStore } from '../../../server/store/library-store.js'
import { createId } from '../../../shared/ids.js'
import { testDatabaseEnv } from '../../helpers/database.js'
import { STORE_KINDS, type StoreKind } from '../../helpers/env.js'

async function open(kind: StoreKind, env = testDatabaseEnv(kind)): Promise<OpenDatabase> {
  const parsed = parseConfig({ AUTH_SECRET: 'x'.repeat(32), ...env })
  if (!parsed.ok) throw new Error(parsed.errors.join())
  const database = await openDatabase(parsed.config.store)
  onTestFinished(() => database.destroy())
  return database
}

function textUpdate(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  doc.getText('t').insert(doc.getText('t').length, text)
  return Y.encodeStateAsUpdate(doc, before)
}

describe.each(STORE_KINDS)('store on %s', (kind) => {
  it('runs its migrations once, and again on an up-to-date database without harm', async () => {
    const env = testDatabaseEnv(kind)
    const first = await open(kind, env)
    await createLibraryStore(first).createLibrary({ id: createId('lib'), name: 'Kept', description: '', ownerId: 'u1' })
    await first.destroy()
    const second = await open(kind, env)
    expect(await createLibraryStore(second).countLibraries()).toBe(1)
    expect(await second.ping()).toBe(true)
  })

  it('keeps libraries, members, sites and assets', async () => {
    const libraries = createLibraryStore(await open(kind))
    const id = createId('lib')
    const library = await libraries.createLibrary({ id, name: 'Brand', description: 'd', ownerId: 'alice' })
    expect(library).toMatchObject({ id, name: 'Brand', stagingEnabled: false, workflowEnabled: false, createdBy: 'alice' })
    expect(await libraries.getLibrary(id)).toEqual(library)
    expect(await libraries.getMember(id, 'alice')).toMatchObject({ role: 'owner' })
    expect(await libraries.countOwners(id)).toBe(1)

    await libraries.putMember(id, 'bob', 'member')
    await libraries.putMember(id, 'bob', 'reviewer')
    expect((await libraries.listMembers(id)).map((m) => [m.userId, m.role])).toEqual([
      ['alice', 'owner'],
      ['bob', 'reviewer'],
    ])
    expect((await libraries.listLibrariesOf('bob')).map((l) => l.id)).toEqual([id])
    expect(await libraries.listLibrariesOf('carol')).toEqual([])
    expect(await libraries.deleteMember(id, 'bob')).toBe(true)
    expect(await libraries.deleteMember(id, 'bob')).toBe(false)

    const site = await libraries.createSite({ id: createId('site'), name: 'Web', stagingEnabled: false, deliveryKeyHash: 'h' })
    await libraries.connectSite(id, site.id)
    await libraries.connectSite(id, site.id)

    const assetId = createId('ast')
    const update = textUpdate(new Y.Doc(), 'initial')
    const asset = await libraries.createAsset({ id: assetId, libraryId: id, type: 'web-content', createdBy: 'alice', initialUpdate: update })
    expect(asset).toMatchObject({ id: assetId, libraryId: id, status: 'draft' })
    expect(await libraries.getAsset(assetId)).toEqual(asset)
    expect(await libraries.getAsset(createId('ast'))).toBeNull()
  })

  it('appends, loads and compacts a document log', async () => {
    const database = await open(kind)
    const log = createDocLog(database, createMemoryLocks())
    const doc = new Y.Doc()
    const name = createId('ast')
    for (let i = 0; i < 10; i++) await log.append([{ doc: name, update: textUpdate(doc, `${i},`) }])
    await log.append([
      { doc: name, update: textUpdate(doc, 'x,') },
      { doc: `${name}/comments`, update: textUpdate(new Y.Doc(), 'comment') },
    ])
    const rows = await log.load(name)
    expect(rows).toHaveLength(11)
    expect(await log.compact(name)).toEqual({ status: 'compacted', rowsMerged: 11 })
    const compacted = await log.load(name)
    expect(compacted).toHaveLength(1)
    const restored = new Y.Doc()
    Y.applyUpdate(restored, compacted[0]!)
    expect(restored.getText('t').toString()).toBe('0,1,2,3,4,5,6,7,8,9,x,')
    expect(await log.compact(name)).toEqual({ status: 'nothing-to-do' })
    expect(await log.load(`${name}/comments`)).toHaveLength(1)
    expect(await log.load(createId('ast'))).toEqual([])
  })

  it('compacts under the lock: busy while another holds it, and a stalled holder cannot commit', async () => {
    const database = await open(kind)
    let now = 1_000_000
    const locks = createMemoryLocks(() => now)
    const log = createDocLog(database, locks)
    const name = createId('ast')
    const doc = new Y.Doc()
    await log.append([{ doc: name, update: textUpdate(doc, 'a') }])
    await log.append([{ doc: name, update: textUpdate(doc, 'b') }])

    const other = await locks.tryAcquire(`compact:${name}`, 1000)
    expect(await log.compact(name)).toEqual({ status: 'busy' })
    await other?.release()

    // The lease expires while the compaction runs (its clock jumps past the TTL mid-transaction).
    const stalling = createDocLog(database, {
        async tryAcquire(lockName, ttl) {
          const lease = await locks.tryAcquire(lockName, ttl)
          if (!lease) return null
          return {
            ...lease,
            isHeld: async () => {
              now += 60_000
              await locks.tryAcquire(lockName, 1000)
              return lease.isHeld()
            },
          }
        },
        destroy: () => locks.destroy(),
    })
    expect(await stalling.compact(name)).toEqual({ status: 'lost-lock' })
    expect(await log.load(name)).toHaveLength(2)
  })
})
