import { describe, expect, it } from 'vitest'
import { CLOSE_FORBIDDEN, CLOSE_NOT_FOUND } from '../../../shared/close-codes.js'
import { createId } from '../../../shared/ids.js'
import { bodyText, paragraphText } from '../../helpers/body.js'
import { STORE_KINDS } from '../../helpers/env.js'
import { createFixture, startServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

async function setup(store: (typeof STORE_KINDS)[number]) {
  const server = await startServer({ store })
  const fixture = await createFixture(server)
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const response = await server.folio.app.request(`/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }
  return { server, call, ...fixture }
}

describe.each(STORE_KINDS)('library domain on %s', (store) => {
  it('updates settings, and turning staging on disconnects sites without it', async () => {
    const { call, owner, member, libraryId } = await setup(store)
    const plain = (await call('POST', '/sites', owner, { name: 'Public web' })).body
    const staged = (await call('POST', '/sites', owner, { name: 'Staged web', stagingEnabled: true })).body
    expect(plain.deliveryKey).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect((await call('GET', '/sites', owner)).body.items.every((s: object) => !('deliveryKey' in s))).toBe(true)
    expect((await call('PUT', `/libraries/${libraryId}/sites/${plain.id}`, owner)).status).toBe(204)
    expect((await call('PUT', `/libraries/${libraryId}/sites/${staged.id}`, owner)).status).toBe(204)

    expect((await call('PATCH', `/libraries/${libraryId}`, member, { stagingEnabled: true })).status).toBe(403)
    const patched = await call('PATCH', `/libraries/${libraryId}`, owner, { stagingEnabled: true, description: 'Now staged' })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ stagingEnabled: true, description: 'Now staged', disconnectedSites: [plain.id] })
    expect((await call('GET', `/libraries/${libraryId}/sites`, member)).body.items.map((s: { id: string }) => s.id)).toEqual([staged.id])

    const refused = await call('PUT', `/libraries/${libraryId}/sites/${plain.id}`, owner)
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'staging_rule' } } })
    const siteOff = await call('PATCH', `/sites/${staged.id}`, owner, { stagingEnabled: false })
    expect(siteOff).toMatchObject({ status: 422, body: { error: { code: 'staging_rule' } } })
    expect((await call('PATCH', `/sites/${plain.id}`, owner, { name: 'Renamed' })).body).toMatchObject({ name: 'Renamed' })
    expect((await call('POST', '/sites', member, { name: 'Mine' })).status).toBe(403)
    expect((await call('PUT', `/libraries/${libraryId}/sites/${createId('site')}`, owner)).status).toBe(404)
    expect((await call('DELETE', `/libraries/${libraryId}/sites/${staged.id}`, owner)).status).toBe(204)
    expect((await call('DELETE', `/libraries/${libraryId}/sites/${staged.id}`, owner)).status).toBe(404)
    expect((await call('PATCH', `/libraries/${libraryId}`, owner, {})).status).toBe(400)
  })

  it('deletes a library only with staging off, and closes its documents with 4404', async () => {
    const { server, call, owner, libraryId, assetId } = await setup(store)
    await call('PATCH', `/libraries/${libraryId}`, owner, { stagingEnabled: true })
    expect(await call('DELETE', `/libraries/${libraryId}`, owner)).toMatchObject({ status: 422, body: { error: { code: 'staging_on' } } })
    await call('PATCH', `/libraries/${libraryId}`, owner, { stagingEnabled: false })

    const editor = server.connect(assetId, owner)
    await editor.whenSynced()
    const closed = new Promise<{ code: number }>((resolve) => editor.on('closed', resolve))
    expect((await call('DELETE', `/libraries/${libraryId}`, owner)).status).toBe(204)
    expect((await closed).code).toBe(CLOSE_NOT_FOUND)
    expect((await call('GET', `/libraries/${libraryId}`, owner)).status).toBe(404)
    const rows = await server.database.db.selectFrom('doc_updates').select('id').where('doc', '=', assetId).execute()
    expect(rows).toEqual([])
  })

  it('only lets the owner delete a library', async () => {
    const { server, call, owner, member, libraryId } = await setup(store)
    await call('PUT', `/libraries/${libraryId}/members/adm`, owner, { role: 'admin' })
    const admin = await server.token('adm')
    expect((await call('DELETE', `/libraries/${libraryId}`, member)).status).toBe(403)
    expect((await call('DELETE', `/libraries/${libraryId}`, admin)).status).toBe(403)
  })

  it('gives a custom role exactly its permissions: a commenter writes comments, not the asset', async () => {
    const { server, call, owner, libraryId, assetId } = await setup(store)
    const unknown = await call('POST', `/libraries/${libraryId}/roles`, owner, { name: 'Bad', permissions: ['COMMENT', 'FLY'] })
    expect(unknown).toMatchObject({ status: 422, body: { error: { code: 'unknown_permission' } } })
    expect(unknown.body.error.message).toContain('FLY')
    const role = (await call('POST', `/libraries/${libraryId}/roles`, owner, { name: 'Commenter', permissions: ['COMMENT'] })).body
    expect(role).toMatchObject({ name: 'Commenter', permissions: ['COMMENT'] })
    expect((await call('GET', `/libraries/${libraryId}/roles`, owner)).body.items).toHaveLength(1)
    expect((await call('PUT', `/libraries/${libraryId}/members/cora`, owner, { role: role.id })).status).toBe(201)
    const cora = await server.token('cora', { name: 'Cora' })

    const writer = server.connect(assetId, owner)
    const asset = server.connect(assetId, cora)
    const comments = server.connect(`${assetId}/comments`, cora)
    const commentsOwner = server.connect(`${assetId}/comments`, owner)
    await Promise.all([writer.whenSynced(), asset.whenSynced(), comments.whenSynced(), commentsOwner.whenSynced()])
    paragraphText(asset.doc).insert(0, 'CORA EDIT')
    await waitFor(() => asset.deniedReason?.startsWith('read-only'), { what: 'the read-only answer' })
    comments.doc.getArray('threads').push(['a comment'])
    await waitFor(() => commentsOwner.doc.getArray('threads').length === 1, { what: 'the comment' })
    expect(bodyText(writer.doc)).not.toContain('CORA EDIT')

    // Granting EDIT to the role upgrades Cora's open connection.
    const upgraded = await call('PATCH', `/libraries/${libraryId}/roles/${role.id}`, owner, { permissions: ['COMMENT', 'EDIT'] })
    expect(upgraded.body.permissions).toEqual(['COMMENT', 'EDIT'])
    paragraphText(asset.doc).insert(0, 'NOW ALLOWED ')
    await waitFor(() => bodyText(writer.doc).includes('NOW ALLOWED'), { what: 'the upgraded edit' })

    expect(await call('DELETE', `/libraries/${libraryId}/roles/${role.id}`, owner)).toMatchObject({ status: 409 })
    const closed = new Promise<{ code: number }>((resolve) => asset.on('closed', resolve))
    expect((await call('DELETE', `/libraries/${libraryId}/members/cora`, owner)).status).toBe(204)
    expect((await closed).code).toBe(CLOSE_FORBIDDEN)
    expect((await call('DELETE', `/libraries/${libraryId}/roles/${role.id}`, owner)).status).toBe(204)
    expect((await call('PUT', `/libraries/${libraryId}/members/cora`, owner, { role: role.id })).status).toBe(422)
  })

  it('keeps roles that manage members or delete the library for Owners to define', async () => {
    const { server, call, owner, libraryId } = await setup(store)
    await call('PUT', `/libraries/${libraryId}/members/adm`, owner, { role: 'admin' })
    const admin = await server.token('adm')
    expect((await call('POST', `/libraries/${libraryId}/roles`, admin, { name: 'Gate', permissions: ['MANAGE_MEMBERS'] })).status).toBe(403)
    expect((await call('POST', `/libraries/${libraryId}/roles`, admin, { name: 'Editor', permissions: ['EDIT'] })).status).toBe(201)

    // An Owner's role that can delete the library is not the Admin's to hand out.
    const deleter = (await call('POST', `/libraries/${libraryId}/roles`, owner, { name: 'Deleter', permissions: ['DELETE_LIBRARY'] })).body
    expect((await call('PUT', `/libraries/${libraryId}/members/accomplice`, admin, { role: deleter.id })).status).toBe(403)
    expect((await call('PUT', `/libraries/${libraryId}/members/accomplice`, owner, { role: deleter.id })).status).toBe(201)
    expect((await call('DELETE', `/libraries/${libraryId}/members/accomplice`, admin)).status).toBe(403)
  })

  it('never lets two Owners demote each other into a library without Owners', async () => {
    const { server, call, owner, libraryId } = await setup(store)
    await call('PUT', `/libraries/${libraryId}/members/second`, owner, { role: 'owner' })
    const second = await server.token('second')
    const [a, b] = await Promise.all([
      call('PUT', `/libraries/${libraryId}/members/second`, owner, { role: 'member' }),
      call('PUT', `/libraries/${libraryId}/members/owner`, second, { role: 'member' }),
    ])
    expect([a.status, b.status]).toContain(200)
    const owners = (await call('GET', `/libraries/${libraryId}/members`, a.status === 200 ? owner : second)).body.items.filter(
      (m: { role: string }) => m.role === 'owner',
    )
    expect(owners).toHaveLength(1)
  })

  it('lists assets a page at a time, filtered by type and status', async () => {
    const { call, owner, libraryId, assetId } = await setup(store)
    const ids = [assetId]
    for (let i = 0; i < 4; i++) ids.push((await call('POST', `/libraries/${libraryId}/assets`, owner, { type: 'web-content', title: `T${i}` })).body.id)
    const seen: string[] = []
    let next: string | null = null
    do {
      const page: { body: { items: { id: string; title: string }[]; nextCursor: string | null } } = await call(
        'GET',
        `/libraries/${libraryId}/assets?limit=2${next ? `&cursor=${next}` : ''}`,
        owner,
      )
      seen.push(...page.body.items.map((a) => a.id))
      next = page.body.nextCursor
    } while (next)
    expect(seen.sort()).toEqual([...ids].sort())
    expect((await call('GET', `/libraries/${libraryId}/assets?type=collection`, owner)).body.items).toEqual([])
    expect((await call('GET', `/libraries/${libraryId}/assets?status=draft&limit=100`, owner)).body.items).toHaveLength(5)
    expect((await call('GET', `/libraries/${libraryId}/assets?limit=500`, owner)).status).toBe(400)
    expect((await call('GET', `/libraries/${libraryId}/assets?cursor=forged`, owner)).status).toBe(400)
    expect((await call('GET', `/libraries/${libraryId}/assets?type=video`, owner)).status).toBe(400)

    // Every list pages the same way: members, by user id.
    const first = (await call('GET', `/libraries/${libraryId}/members?limit=2`, owner)).body
    expect(first.items.map((m: { userId: string }) => m.userId)).toEqual(['member', 'owner'])
    const second = (await call('GET', `/libraries/${libraryId}/members?limit=2&cursor=${first.nextCursor}`, owner)).body
    expect(second).toEqual({ items: [expect.objectContaining({ userId: 'reviewer' })], nextCursor: null })
    expect((await call('GET', `/libraries/${libraryId}/members?cursor=bm9wZQ`, owner)).status).toBe(400)
  })

  it('applies a REST edit of fields as a Yjs transaction that connected editors see', async () => {
    const { server, call, owner, reviewer, libraryId, assetId } = await setup(store)
    const editor = server.connect(assetId, owner)
    await editor.whenSynced()
    const fields = editor.doc.getMap('fields')
    const patched = await call('PATCH', `/libraries/${libraryId}/assets/${assetId}`, owner, {
      title: 'Renamed',
      fields: { slug: 'renamed', priority: 2 },
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ title: 'Renamed', fields: { title: 'Renamed', slug: 'renamed', priority: 2 } })
    await waitFor(() => fields.get('slug') === 'renamed' && fields.get('title') === 'Renamed', { what: 'the live field change' })
    const listed = (await call('GET', `/libraries/${libraryId}/assets`, owner)).body.items
    expect(listed.find((a: { id: string }) => a.id === assetId).title).toBe('Renamed')
    expect((await call('PATCH', `/libraries/${libraryId}/assets/${assetId}`, reviewer, { title: 'No' })).status).toBe(403)

    // A title typed in the editor reaches the listing once committed.
    fields.set('title', 'Typed in the editor')
    await editor.whenAcknowledged()
    await waitFor(
      async () =>
        (await call('GET', `/libraries/${libraryId}/assets`, owner)).body.items.find((a: { id: string }) => a.id === assetId).title ===
        'Typed in the editor',
      { what: 'the listing to show the typed title' },
    )
    expect((await call('PATCH', `/libraries/${libraryId}/assets/${assetId}`, owner, { fields: { 'bad key': 1 } })).status).toBe(400)
  })

  it('tags and categorises assets, and filters the list by both', async () => {
    const { call, owner, member, reviewer, libraryId, assetId } = await setup(store)
    const other = (await call('POST', `/libraries/${libraryId}/assets`, owner, { type: 'web-content', title: 'Other' })).body.id
    expect((await call('PUT', `/libraries/${libraryId}/tags/Spring%20Campaign`, owner)).status).toBe(204)
    expect((await call('PUT', `/libraries/${libraryId}/assets/${assetId}/tags/spring%20campaign`, member)).status).toBe(204)
    expect((await call('PUT', `/libraries/${libraryId}/assets/${other}/tags/evergreen`, member)).status).toBe(204)
    expect((await call('PUT', `/libraries/${libraryId}/assets/${other}/tags/x`, reviewer)).status).toBe(403)
    expect((await call('PUT', `/libraries/${libraryId}/tags/%3Cscript%3E`, owner)).status).toBe(400)
    expect((await call('GET', `/libraries/${libraryId}/tags`, reviewer)).body.items).toEqual(['evergreen', 'spring campaign'])

    const voc = (await call('POST', `/libraries/${libraryId}/vocabularies`, owner, { name: 'Topics' })).body
    const food = (await call('POST', `/libraries/${libraryId}/vocabularies/${voc.id}/categories`, owner, { name: 'Food' })).body
    const fruit = (await call('POST', `/libraries/${libraryId}/vocabularies/${voc.id}/categories`, owner, { name: 'Fruit', parentId: food.id })).body
    const badParent = await call('POST', `/libraries/${libraryId}/vocabularies/${voc.id}/categories`, owner, { name: 'X', parentId: createId('cat') })
    expect(badParent.status).toBe(422)
    const tree = (await call('GET', `/libraries/${libraryId}/vocabularies/${voc.id}`, member)).body
    expect(tree.categories).toEqual([{ id: food.id, name: 'Food', children: [{ id: fruit.id, name: 'Fruit', children: [] }] }])
    expect((await call('PUT', `/libraries/${libraryId}/assets/${other}/categories/${fruit.id}`, member)).status).toBe(204)

    const list = async (query: string) =>
      (await call('GET', `/libraries/${libraryId}/assets?${query}`, reviewer)).body.items.map((a: { id: string }) => a.id)
    expect(await list('tag=Spring%20Campaign')).toEqual([assetId])
    expect(await list('tag=evergreen')).toEqual([other])
    expect(await list(`category=${food.id}`)).toEqual([other])
    expect(await list(`category=${fruit.id}&tag=evergreen`)).toEqual([other])
    expect(await list(`category=${createId('cat')}`)).toEqual([])
    const detail = (await call('GET', `/libraries/${libraryId}/assets/${other}`, reviewer)).body
    expect(detail).toMatchObject({ tags: ['evergreen'], categories: [fruit.id] })

    expect((await call('DELETE', `/libraries/${libraryId}/assets/${other}/tags/evergreen`, member)).status).toBe(204)
    expect((await call('DELETE', `/libraries/${libraryId}/assets/${other}/tags/evergreen`, member)).status).toBe(404)
    expect((await call('DELETE', `/libraries/${libraryId}/tags/spring%20campaign`, owner)).status).toBe(204)
    expect(await list('tag=spring%20campaign')).toEqual([])
    expect((await call('DELETE', `/libraries/${libraryId}/categories/${food.id}`, owner)).body.deleted.sort()).toEqual([food.id, fruit.id].sort())
    expect(await list(`category=${fruit.id}`)).toEqual([])
    expect((await call('GET', `/libraries/${libraryId}/assets/${other}`, reviewer)).body.categories).toEqual([])
  })

  it('keeps manual collections in order, collaboratively, and resolves dynamic ones', async () => {
    const { server, call, owner, member, libraryId, assetId } = await setup(store)
    const create = async (title: string) => (await call('POST', `/libraries/${libraryId}/assets`, owner, { type: 'web-content', title })).body.id as string
    const b = await create('Banana')
    const c = await create('Cherry')
    const bad = await call('POST', `/libraries/${libraryId}/assets`, owner, {
      type: 'collection',
      title: 'Broken',
      collection: { kind: 'manual', items: [b, createId('ast')] },
    })
    expect(bad).toMatchObject({ status: 422, body: { error: { code: 'unprocessable' } } })
    expect((await call('POST', `/libraries/${libraryId}/assets`, owner, { type: 'collection', title: 'No spec' })).status).toBe(422)

    const manual = (
      await call('POST', `/libraries/${libraryId}/assets`, owner, {
        type: 'collection',
        title: 'Front page',
        collection: { kind: 'manual', items: [c, assetId, c] },
      })
    ).body
    expect(manual).toMatchObject({ type: 'collection', body: null, collection: { kind: 'manual', items: [c, assetId] } })
    const titles = async (id: string) =>
      (await call('GET', `/libraries/${libraryId}/assets/${id}/items`, member)).body.items.map((a: { title: string }) => a.title)
    expect(await titles(manual.id)).toEqual(['Cherry', 'Fixture asset'])

    const editor = server.connect(manual.id, member)
    await editor.whenSynced()
    const items = editor.doc.getArray<string>('items')
    expect(items.toArray()).toEqual([c, assetId])
    const reordered = await call('PUT', `/libraries/${libraryId}/assets/${manual.id}/items`, member, { items: [b, c] })
    expect(reordered.body.collection.items).toEqual([b, c])
    await waitFor(() => items.toArray().join() === [b, c].join(), { what: 'the editor to see the new order' })
    items.insert(0, [assetId])
    await editor.whenAcknowledged()
    expect(await titles(manual.id)).toEqual(['Fixture asset', 'Banana', 'Cherry'])
    expect((await call('PUT', `/libraries/${libraryId}/assets/${manual.id}/items`, member, { items: [manual.id] })).status).toBe(422)

    await call('PUT', `/libraries/${libraryId}/assets/${b}/tags/fruit`, owner)
    await call('PUT', `/libraries/${libraryId}/assets/${c}/tags/fruit`, owner)
    const dynamic = (
      await call('POST', `/libraries/${libraryId}/assets`, owner, {
        type: 'collection',
        title: 'Fruit, Z to A',
        collection: { kind: 'dynamic', query: { type: 'web-content', tags: ['Fruit'], sort: 'title', order: 'desc', limit: 5 } },
      })
    ).body
    expect(dynamic.collection).toMatchObject({ kind: 'dynamic', query: { sort: 'title', order: 'desc', limit: 5 } })
    expect(await titles(dynamic.id)).toEqual(['Cherry', 'Banana'])
    await call('PUT', `/libraries/${libraryId}/assets/${assetId}/tags/fruit`, owner)
    expect(await titles(dynamic.id)).toEqual(['Fixture asset', 'Cherry', 'Banana'])
    expect((await call('PUT', `/libraries/${libraryId}/assets/${dynamic.id}/items`, owner, { items: [] })).status).toBe(422)
    expect((await call('GET', `/libraries/${libraryId}/assets/${b}/items`, owner)).status).toBe(422)
    const badQuery = await call('POST', `/libraries/${libraryId}/assets`, owner, {
      type: 'collection',
      title: 'Bad',
      collection: { kind: 'dynamic', query: { sort: 'random' } },
    })
    expect(badQuery.status).toBe(400)
  })

  it('deletes an asset with its documents, closing its editors with 4404', async () => {
    const { server, call, owner, reviewer, libraryId, assetId } = await setup(store)
    const comments = server.connect(`${assetId}/comments`, reviewer)
    await comments.whenSynced()
    comments.doc.getArray('threads').push(['note'])
    await comments.whenAcknowledged()
    const closed = new Promise<{ code: number }>((resolve) => comments.on('closed', resolve))
    expect((await call('DELETE', `/libraries/${libraryId}/assets/${assetId}`, reviewer)).status).toBe(403)
    expect((await call('DELETE', `/libraries/${libraryId}/assets/${assetId}`, owner)).status).toBe(204)
    expect((await closed).code).toBe(CLOSE_NOT_FOUND)
    expect((await call('GET', `/libraries/${libraryId}/assets/${assetId}`, owner)).status).toBe(404)
    expect((await call('DELETE', `/libraries/${libraryId}/assets/${assetId}`, owner)).status).toBe(404)
    const rows = await server.database.db.selectFrom('doc_updates').select('doc').where('doc', 'like', `${assetId}%`).execute()
    expect(rows).toEqual([])
  })

  it('describes itself in an OpenAPI document and a browsable page', async () => {
    const { server } = await setup(store)
    const doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json()
    expect(doc.openapi).toBe('3.0.3')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/libraries', '/libraries/{lib}', '/libraries/{lib}/members/{userId}', '/libraries/{lib}/roles', '/sites', '/libraries/{lib}/assets/{asset}']),
    )
    expect(doc.paths['/libraries/{lib}/assets'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['lib', 'type', 'status', 'cursor', 'limit']),
    )
    const page = await fetch(`${server.url}/api/v1/docs`)
    expect(page.headers.get('content-type')).toContain('text/html')
    const html = await page.text()
    expect(html).toContain('/libraries/{lib}/roles')
    expect(html).not.toContain('<script')
  })
})
