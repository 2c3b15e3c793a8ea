import { describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { createMemoryLocks } from '../../../server/cluster/memory-locks.js'
import { parseConfig } from '../../../server/config.js'
import { openDatabase, type OpenDatabase } from '../../../server/store/db.js'
import { createDocLog } from '../../../server/store/doc-log.js'
import { createAssetStore } from '../../../server/store/asset-store.js'
import { createLibraryStore } from '../../../server/store/library-store.js'
import { createSiteStore } from '../../../server/store/site-store.js'
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

const ALL = { limit: 100 }

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
    const database = await open(kind)
    const libraries = createLibraryStore(database)
    const sites = createSiteStore(database)
    const assets = createAssetStore(database)
    const id = createId('lib')
    const library = await libraries.createLibrary({ id, name: 'Brand', description: 'd', ownerId: 'alice' })
    expect(library).toMatchObject({ id, name: 'Brand', stagingEnabled: false, workflowEnabled: false, createdBy: 'alice' })
    expect(await libraries.getLibrary(id)).toEqual(library)
    expect(await libraries.getMember(id, 'alice')).toMatchObject({ role: 'owner' })
    expect(await libraries.countOwners(id)).toBe(1)

    await libraries.putMember(id, 'bob', 'member')
    await libraries.putMember(id, 'bob', 'reviewer')
    expect((await libraries.listMembers(id, ALL))!.items.map((m) => [m.userId, m.role])).toEqual([
      ['alice', 'owner'],
      ['bob', 'reviewer'],
    ])
    expect((await libraries.listLibrariesOf('bob', ALL))!.items.map((l) => l.id)).toEqual([id])
    expect((await libraries.listLibrariesOf('carol', ALL))!.items).toEqual([])
    expect(await libraries.deleteMember(id, 'bob')).toBe(true)
    expect(await libraries.deleteMember(id, 'bob')).toBe(false)

    const plain = await sites.createSite({ id: createId('site'), name: 'Web', stagingEnabled: false, deliveryKeyHash: 'h' })
    const staged = await sites.createSite({ id: createId('site'), name: 'Staged', stagingEnabled: true, deliveryKeyHash: 'h2' })
    await sites.connectSite(id, plain.id)
    await sites.connectSite(id, plain.id)
    await sites.connectSite(id, staged.id)
    expect((await sites.sitesOfLibrary(id, ALL))!.items.map((s) => s.id).sort()).toEqual([plain.id, staged.id].sort())
    const { library: stagingOn, disconnectedSites } = await libraries.updateLibrary(id, { stagingEnabled: true, name: 'Brand 2' })
    expect(stagingOn).toMatchObject({ stagingEnabled: true, name: 'Brand 2' })
    expect(disconnectedSites).toEqual([plain.id])
    expect((await sites.sitesOfLibrary(id, ALL))!.items.map((s) => s.id)).toEqual([staged.id])
    expect(await sites.stagingLibrariesOf(staged.id)).toEqual([id])

    const assetId = createId('ast')
    const update = textUpdate(new Y.Doc(), 'initial')
    const asset = await assets.createAsset({ id: assetId, libraryId: id, type: 'web-content', title: 'T', createdBy: 'alice', initialUpdate: update })
    expect(asset).toMatchObject({ id: assetId, libraryId: id, status: 'draft', title: 'T' })
    expect(await assets.getAsset(assetId)).toEqual(asset)
    expect(await assets.getAsset(createId('ast'))).toBeNull()

    expect(await libraries.deleteLibrary(id)).toEqual([assetId])
    expect(await libraries.getLibrary(id)).toBeNull()
    expect(await assets.getAsset(assetId)).toBeNull()
    expect(await createDocLog(database, createMemoryLocks()).load(assetId)).toEqual([])
  })

  it('keeps custom roles and resolves them to grants', async () => {
    const libraries = createLibraryStore(await open(kind))
    const id = createId('lib')
    await libraries.createLibrary({ id, name: 'L', description: '', ownerId: 'alice' })
    const role = await libraries.createRole({ id: createId('role'), libraryId: id, name: 'Commenter', permissions: ['COMMENT'] })
    await libraries.putMember(id, 'carl', role.id)
    expect((await libraries.grantOf(id, 'carl')).grant).toEqual({ kind: 'custom', roleId: role.id, permissions: ['COMMENT'] })
    expect(await libraries.updateRole(id, role.id, { permissions: ['COMMENT', 'EDIT'] })).toMatchObject({ permissions: ['COMMENT', 'EDIT'] })
    expect((await libraries.listMembersWithRole(id, role.id)).map((m) => m.userId)).toEqual(['carl'])
    expect(await libraries.deleteRole(id, role.id)).toBe(true)
    expect((await libraries.grantOf(id, 'carl')).grant).toEqual({ kind: 'none' })
  })

  it('pages every list by its key: members by user id, across pages, with forged cursors refused', async () => {
    const libraries = createLibraryStore(await open(kind))
    const id = createId('lib')
    await libraries.createLibrary({ id, name: 'L', description: '', ownerId: 'u00' })
    for (let i = 1; i < 12; i++) await libraries.putMember(id, `u${String(i).padStart(2, '0')}`, 'member')
    const seen: string[] = []
    let cursor: string | undefined
    for (;;) {
      const page = await libraries.listMembers(id, { limit: 5, ...(cursor ? { cursor } : {}) })
      if (!page) throw new Error('cursor refused')
      seen.push(...page.items.map((m) => m.userId))
      if (!page.nextCursor) break
      cursor = page.nextCursor
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `u${String(i).padStart(2, '0')}`))
    expect(await libraries.listMembers(id, { limit: 5, cursor: Buffer.from('["a","b"]').toString('base64url') })).toBeNull()
    expect(await libraries.listMembers(id, { limit: 5, cursor: Buffer.from('[{"x":1}]').toString('base64url') })).toBeNull()
  })

  it('pages assets with a cursor and filters them', async () => {
    const database = await open(kind)
    const libraries = createLibraryStore(database)
    const assets = createAssetStore(database)
    const id = createId('lib')
    await libraries.createLibrary({ id, name: 'L', description: '', ownerId: 'alice' })
    const created: { id: string; createdAt: string }[] = []
    for (let i = 0; i < 7; i++) {
      const asset = await assets.createAsset({
        id: createId('ast'),
        libraryId: id,
        type: i % 2 === 0 ? 'web-content' : 'collection',
        title: `A${i}`,
        createdBy: 'alice',
        initialUpdate: textUpdate(new Y.Doc(), 'x'),
      })
      created.push(asset)
    }
    // Oldest first; assets created in the same millisecond in id order.
    const expected = created
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
      .map((a) => a.id)
    const seen: string[] = []
    let cursor: string | undefined
    for (;;) {
      const page = await assets.listAssets(id, {}, { limit: 3, ...(cursor ? { cursor } : {}) })
      if (!page) throw new Error('cursor refused')
      seen.push(...page.items.map((a) => a.id))
      if (!page.nextCursor) break
      cursor = page.nextCursor
    }
    expect(seen).toEqual(expected)
    const collections = await assets.listAssets(id, { type: 'collection' }, { limit: 10 })
    expect(collections?.items.map((a) => a.title).sort()).toEqual(['A1', 'A3', 'A5'])
    expect(await assets.listAssets(id, {}, { limit: 3, cursor: 'made-up' })).toBeNull()
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
