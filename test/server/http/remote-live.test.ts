import { describe, expect, it } from 'vitest'
import { createFixture, startServer } from '../../helpers/server.js'

describe('Remote Live between two instances', () => {
  it('publishes into the other instance’s live store, where its sites read it', async () => {
    const here = await startServer()
    const there = await startServer()
    const { owner, libraryId, assetId } = await createFixture(here, {
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Published far away' }] }],
    })
    const callHere = here.call
    const callThere = there.call

    // The other instance: a library to receive, a site reading it, and a token that may publish there.
    const remoteAdmin = await there.token('remote-admin', { admin: true })
    const remoteLibrary = (await callThere('POST', '/libraries', remoteAdmin, { name: 'Live mirror' })).body.id
    const remoteSite = (await callThere('POST', '/sites', remoteAdmin, { name: 'Mirror site' })).body
    await callThere('PUT', `/libraries/${remoteLibrary}/sites/${remoteSite.id}`, remoteAdmin)

    const doc = (await callHere('POST', `/libraries/${libraryId}/assets`, owner, { type: 'document', title: 'Price list' })).body.id
    await fetch(`${here.url}/api/v1/libraries/${libraryId}/assets/${doc}/files?filename=prices.txt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}` },
      body: 'apples 1.20\npears 0.90\n',
    })
    await callHere('PATCH', `/libraries/${libraryId}`, owner, { stagingEnabled: true })
    for (const id of [assetId, doc]) await callHere('POST', `/libraries/${libraryId}/assets/${id}/versions`, owner)

    expect((await callHere('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple', target: 'remote' })).status).toBe(422)
    const target = await callHere('PUT', `/libraries/${libraryId}/remote`, owner, { url: there.url, libraryId: remoteLibrary, token: remoteAdmin })
    expect(target.body).toEqual({ url: there.url, libraryId: remoteLibrary, configured: true })
    expect(JSON.stringify((await callHere('GET', `/libraries/${libraryId}/remote`, owner)).body)).not.toContain(remoteAdmin)

    const published = await callHere('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple', target: 'remote' })
    expect(published).toMatchObject({ status: 201, body: { status: 'succeeded', mode: 'simple:remote', generation: 1 } })

    const read = (path: string) =>
      fetch(`${there.url}/api/v1/delivery/sites/${remoteSite.id}${path}`, { headers: { authorization: `Bearer ${remoteSite.deliveryKey}` } })
    const asset = await (await read(`/assets/${assetId}`)).json()
    expect(asset).toMatchObject({ id: assetId, fields: { title: 'Fixture asset' }, html: '<p>Published far away</p>' })
    const file = await read(`/files/${doc}`)
    expect(file.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await file.text()).toBe('apples 1.20\npears 0.90\n')
    expect((await callThere('GET', `/libraries/${remoteLibrary}/publications`, remoteAdmin)).body.items).toMatchObject([
      { mode: 'import', status: 'succeeded', createdBy: 'remote-admin' },
    ])

    // Nothing changed since: the remote's live state says so. Nothing went live here.
    expect((await callHere('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple', target: 'remote' })).status).toBe(422)
    expect((await callHere('GET', `/libraries/${libraryId}/live-state`, owner)).body.assets).toEqual({})

    // The other instance refuses a token that may not publish there; the publication fails cleanly.
    const stranger = await there.token('stranger')
    await callHere('PUT', `/libraries/${libraryId}/remote`, owner, { url: there.url, libraryId: remoteLibrary, token: stranger })
    await callHere('PATCH', `/libraries/${libraryId}/assets/${assetId}`, owner, { title: 'Changed' })
    await callHere('POST', `/libraries/${libraryId}/assets/${assetId}/versions`, owner)
    const refused = await callHere('POST', `/libraries/${libraryId}/publications`, owner, { mode: 'simple', target: 'remote' })
    expect(refused.status).toBe(502)
    expect(refused.body.error).toMatchObject({ code: 'remote_failed', message: expect.stringMatching(/answered 40[34]/) })
    expect((await (await read(`/assets/${assetId}`)).json()).fields.title).toBe('Fixture asset')
  })

  it('never passes another instance’s HTML through: the receiver renders it from the body', async () => {
    const there = await startServer()
    const call = there.call
    const admin = await there.token('admin', { admin: true })
    const library = (await call('POST', '/libraries', admin, { name: 'Mirror' })).body.id
    const site = (await call('POST', '/sites', admin, { name: 'Site' })).body
    await call('PUT', `/libraries/${library}/sites/${site.id}`, admin)
    const assetId = 'ast_0123456789abcdefghjk'
    const imported = await call('POST', `/libraries/${library}/live-imports`, admin, {
      entries: [
        {
          kind: 'put',
          assetId,
          sourceVersion: 1,
          type: 'web-content',
          fields: { title: 'T' },
          body: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x', marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }] }] }] },
          html: '<script>alert(2)</script>',
          collection: null,
          file: null,
        },
      ],
    })
    expect(imported.status).toBe(201)
    const live = await (await fetch(`${there.url}/api/v1/delivery/sites/${site.id}/assets/${assetId}`, { headers: { authorization: `Bearer ${site.deliveryKey}` } })).json()
    expect(live.html).toBe('<p>x</p>')
    const missingFile = await call('POST', `/libraries/${library}/live-imports`, admin, {
      entries: [{ kind: 'put', assetId, sourceVersion: 2, type: 'document', fields: {}, body: null, collection: null, file: { version: 1, blobHash: 'a'.repeat(64), size: 1, contentType: 'text/plain', filename: 'x' } }],
    })
    expect(missingFile.status).toBe(422)
  })
})
