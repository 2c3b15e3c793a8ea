import { describe, expect, it } from 'vitest'
import { createId } from '../../../shared/ids.js'
import { paragraphText } from '../../helpers/body.js'
import { STORE_KINDS } from '../../helpers/env.js'
import { createFixture, startServer, type TestServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

async function setup(store: (typeof STORE_KINDS)[number]) {
  const server = await startServer({ store })
  const fixture = await createFixture(server)
  const call = server.call
  const { owner, libraryId } = fixture
  const site = (await call('POST', '/sites', owner, { name: 'Staged web', stagingEnabled: true })).body
  await call('PATCH', `/libraries/${libraryId}`, owner, { stagingEnabled: true })
  await call('PUT', `/libraries/${libraryId}/sites/${site.id}`, owner)
  const liveTitle = async (assetId: string) => {
    const response = await fetch(`${server.url}/api/v1/delivery/sites/${site.id}/assets/${assetId}`, {
      headers: { authorization: `Bearer ${site.deliveryKey}` },
    })
    return response.status === 200 ? ((await response.json()).fields.title as string) : response.status
  }
  const create = async (title: string) =>
    (await call('POST', `/libraries/${libraryId}/assets`, owner, { type: 'web-content', title })).body.id as string
  const freeze = (assetId: string) => call('POST', `/libraries/${libraryId}/assets/${assetId}/versions`, owner)
  const rename = (assetId: string, title: string) => call('PATCH', `/libraries/${libraryId}/assets/${assetId}`, owner, { title })
  return { server, call, site, liveTitle, create, freeze, rename, ...fixture }
}

async function typeInto(server: TestServer, assetId: string, token: string, text: string) {
  const editor = server.connect(assetId, token)
  await editor.whenSynced()
  paragraphText(editor.doc).insert(0, text)
  await editor.whenAcknowledged()
  editor.destroy()
}

describe.each(STORE_KINDS)('Publish to Live with staging on (%s)', (store) => {
  it('publishes everything changed since the last publication, deletions included, all or nothing', async () => {
    const { server, call, owner, member, libraryId, assetId, liveTitle, create, freeze, rename } = await setup(store)
    const second = await create('Second')
    await freeze(assetId)
    await freeze(second)
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/publish`, owner)).status).toBe(422)
    expect((await call('POST', `/libraries/${libraryId}/publications`, member, { mode: 'simple' })).status).toBe(403)
    const first = await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple' })
    expect(first).toMatchObject({ status: 201, body: { status: 'succeeded', generation: 1, mode: 'simple' } })
    expect(first.body.assetIds.sort()).toEqual([assetId, second].sort())
    expect(await liveTitle(assetId)).toBe('Fixture asset')
    expect((await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple' })).status).toBe(422)

    // A publication that fails before it switches generations leaves the site where it was.
    await rename(assetId, 'Renamed')
    await freeze(assetId)
    server.folio.failpoints.add('publish-before-switch')
    const failed = await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple' })
    expect(failed.status).toBe(500)
    expect(failed.body.error.code).toBe('publication_failed')
    expect(await liveTitle(assetId)).toBe('Fixture asset')
    server.folio.failpoints.delete('publish-before-switch')
    const history = (await call('GET', `/libraries/${libraryId}/publications`, owner)).body.items
    expect(history.map((p: { status: string }) => p.status)).toEqual(['succeeded', 'failed'])
    expect(history[1].error).toContain('failpoint')

    expect((await call('DELETE', `/libraries/${libraryId}/assets/${second}`, owner)).status).toBe(204)
    expect(await liveTitle(second)).toBe('Second')
    const next = await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple' })
    expect(next.body).toMatchObject({ status: 'succeeded', generation: 2 })
    expect(next.body.assetIds.sort()).toEqual([assetId, second].sort())
    expect(await liveTitle(assetId)).toBe('Renamed')
    expect(await liveTitle(second)).toBe(404)
  })

  it('publishes chosen assets or a date range, bringing along what collections point at', async () => {
    const { call, owner, reviewer, libraryId, assetId, liveTitle, create, freeze } = await setup(store)
    const member = await create('Member of the collection')
    const draftOnly = await create('Never frozen')
    await freeze(member)
    const collection = (
      await call('POST', `/libraries/${libraryId}/assets`, owner, { type: 'collection', title: 'Front', collection: { kind: 'manual', items: [member] } })
    ).body.id
    await freeze(collection)
    const advanced = await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'advanced', assetIds: [collection] })
    expect(advanced.body.status).toBe('succeeded')
    expect(advanced.body.assetIds.sort()).toEqual([collection, member].sort())
    expect(await liveTitle(member)).toBe('Member of the collection')

    await call('PUT', `/libraries/${libraryId}/assets/${collection}/items`, owner, { items: [member, draftOnly] })
    await freeze(collection)
    const refused = await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'advanced', assetIds: [collection] })
    expect(refused.status).toBe(422)
    expect(refused.body.error.message).toContain(draftOnly)
    expect((await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'advanced', assetIds: [draftOnly] })).status).toBe(422)
    expect((await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'advanced', assetIds: [createId('ast')] })).status).toBe(422)
    expect((await call('POST', `/libraries/${libraryId}/publications`, reviewer, { mode: 'advanced', assetIds: [assetId] })).status).toBe(403)
    expect((await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'advanced' })).status).toBe(400)

    const since = new Date().toISOString()
    await freeze(assetId)
    const ranged = await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'advanced', since })
    expect(ranged.body).toMatchObject({ status: 'succeeded', assetIds: [assetId] })
  })

  it('runs a scheduled publication at its time, checking it again then', async () => {
    const { call, owner, libraryId, assetId, liveTitle, create, freeze } = await setup(store)
    await freeze(assetId)
    const at = new Date(Date.now() + 800).toISOString()
    const scheduled = await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple', scheduledAt: at })
    expect(scheduled.body).toMatchObject({ status: 'scheduled', scheduledAt: at })
    expect(await liveTitle(assetId)).toBe(404)
    await waitFor(async () => (await liveTitle(assetId)) === 'Fixture asset', { what: 'the scheduled publication' })
    const done = (await call('GET', `/libraries/${libraryId}/publications/${scheduled.body.id}`, owner)).body
    expect(done).toMatchObject({ status: 'succeeded', generation: 1 })

    // Checked again when it runs: an asset deleted meanwhile is no longer publishable.
    const doomed = await create('Doomed')
    await freeze(doomed)
    const later = await call('POST', `/libraries/${libraryId}/publications`, owner, {
      mode: 'advanced',
      assetIds: [doomed],
      scheduledAt: new Date(Date.now() + 800).toISOString(),
    })
    await call('DELETE', `/libraries/${libraryId}/assets/${doomed}`, owner)
    await waitFor(async () => (await call('GET', `/libraries/${libraryId}/publications/${later.body.id}`, owner)).body.status === 'failed', {
      what: 'the scheduled publication to fail',
    })
    expect((await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple', scheduledAt: '2001-01-01T00:00:00Z' })).status).toBe(422)
  })

  it('rolls back by publishing an older version again, as a new live version', async () => {
    const { server, call, owner, libraryId, assetId, liveTitle, freeze, rename } = await setup(store)
    await freeze(assetId)
    await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple' })
    await rename(assetId, 'Second title')
    await typeInto(server, assetId, owner, 'more text ')
    await freeze(assetId)
    await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple' })
    expect(await liveTitle(assetId)).toBe('Second title')
    const restored = await call('POST', `/libraries/${libraryId}/assets/${assetId}/versions/1/restore`, owner)
    expect(restored.body).toMatchObject({ status: 'succeeded', mode: 'restore' })
    expect(await liveTitle(assetId)).toBe('Fixture asset')
    const history = (await call('GET', `/libraries/${libraryId}/assets/${assetId}/live`, owner)).body.items
    expect(history.map((h: { liveVersion: number; sourceVersion: number }) => [h.liveVersion, h.sourceVersion])).toEqual([
      [3, 1],
      [2, 2],
      [1, 1],
    ])
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/versions/9/restore`, owner)).status).toBe(422)
  })

  it('refuses to turn staging off while changes are unpublished, unless confirmed, and says which', async () => {
    const { call, owner, libraryId, assetId, create, freeze } = await setup(store)
    const gone = await create('Gone')
    await freeze(assetId)
    await freeze(gone)
    await call('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple' })
    await call('DELETE', `/libraries/${libraryId}/assets/${gone}`, owner)
    await call('PATCH', `/libraries/${libraryId}`, owner, { workflowEnabled: true })
    await call('POST', `/libraries/${libraryId}/assets/${assetId}/workflow`, owner, { action: 'submit' })

    const refused = await call('PATCH', `/libraries/${libraryId}`, owner, { stagingEnabled: false })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('unpublished_changes')
    expect(refused.body.error.details.unpublishedChanges).toEqual(
      expect.arrayContaining([
        { assetId, change: 'pending', version: 2 },
        { assetId: gone, change: 'deleted', version: null },
      ]),
    )
    expect((await call('GET', `/libraries/${libraryId}`, owner)).body.stagingEnabled).toBe(true)
    const confirmed = await call('PATCH', `/libraries/${libraryId}`, owner, { stagingEnabled: false, confirm: true })
    expect(confirmed.body.stagingEnabled).toBe(false)
  })
})

describe.each(STORE_KINDS)('deleting with staging off (%s)', (store) => {
  it('takes a deleted asset off the live store at once', async () => {
    const server = await startServer({ store })
    const { owner, libraryId, assetId } = await createFixture(server)
    const site = await (await server.api('/sites', owner, { method: 'POST', body: { name: 'Web' } })).json()
    await server.api(`/libraries/${libraryId}/sites/${site.id}`, owner, { method: 'PUT' })
    await server.api(`/libraries/${libraryId}/assets/${assetId}/versions`, owner, { method: 'POST' })
    await server.api(`/libraries/${libraryId}/assets/${assetId}/publish`, owner, { method: 'POST' })
    const read = () =>
      fetch(`${server.url}/api/v1/delivery/sites/${site.id}/assets/${assetId}`, { headers: { authorization: `Bearer ${site.deliveryKey}` } })
    expect((await read()).status).toBe(200)
    expect((await server.api(`/libraries/${libraryId}/assets/${assetId}`, owner, { method: 'DELETE' })).status).toBe(204)
    expect((await read()).status).toBe(404)
  })
})
