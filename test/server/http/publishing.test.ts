import { describe, expect, it, onTestFinished } from 'vitest'
import { readEventStream } from '../../../shared/event-stream.js'
import { bodyText, paragraphText } from '../../helpers/body.js'
import { STORE_KINDS } from '../../helpers/env.js'
import { createFixture, startServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

/** Reads a server-sent-events stream into a list of {event, data}. */
async function openEvents(url: string, key: string) {
  const controller = new AbortController()
  onTestFinished(() => controller.abort())
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal })
  const events: { event: string; data: unknown }[] = []
  // Ends with an abort when the test finishes.
  void readEventStream(response.body!, (event, data) => events.push({ event, data: JSON.parse(data) })).catch(() => undefined)
  await waitFor(() => events.some((e) => e.event === 'ready'), { what: 'the event stream to open' })
  return { status: response.status, events }
}

async function setup(store: (typeof STORE_KINDS)[number]) {
  const server = await startServer({ store })
  const fixture = await createFixture(server)
  const call = server.call
  const site = (await call('POST', '/sites', fixture.owner, { name: 'Web' })).body
  const other = (await call('POST', '/sites', fixture.owner, { name: 'Elsewhere' })).body
  await call('PUT', `/libraries/${fixture.libraryId}/sites/${site.id}`, fixture.owner)
  const deliver = (siteId: string, key: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/v1/delivery/sites/${siteId}${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } })
  return { server, call, site, other, deliver, ...fixture }
}

describe.each(STORE_KINDS)('workflow and publishing on %s', (store) => {
  it('publishes exactly the approved version: not what was rejected, not what was typed after', async () => {
    const { server, call, owner, member, reviewer, libraryId, assetId, site, other, deliver } = await setup(store)
    await call('PATCH', `/libraries/${libraryId}`, owner, { workflowEnabled: true })
    const siteEvents = await openEvents(`${server.url}/api/v1/delivery/sites/${site.id}/events`, site.deliveryKey)
    const otherEvents = await openEvents(`${server.url}/api/v1/delivery/sites/${other.id}/events`, other.deliveryKey)

    // Two authors type at once.
    const a = server.connect(assetId, owner)
    const b = server.connect(assetId, member)
    await Promise.all([a.whenSynced(), b.whenSynced()])
    paragraphText(a.doc).insert(0, 'first draft ')
    paragraphText(b.doc).insert(0, 'by two ')
    await waitFor(() => bodyText(a.doc) === bodyText(b.doc) && bodyText(a.doc).length === 'first draft by two '.length, { what: 'convergence' })
    await Promise.all([a.whenAcknowledged(), b.whenAcknowledged()])

    const first = await call('POST', `/libraries/${libraryId}/assets/${assetId}/workflow`, member, { action: 'submit' })
    expect(first).toMatchObject({ status: 201, body: { version: 1, status: 'pending' } })
    const tasks = (await call('GET', '/tasks', reviewer)).body.items
    expect(tasks).toMatchObject([{ assetId, version: 1, libraryId, title: 'Fixture asset' }])
    expect((await call('GET', '/tasks', member)).body.items).toEqual([])
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/workflow`, member, { action: 'approve' })).status).toBe(403)
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/workflow`, reviewer, { action: 'reject' })).status).toBe(400)
    const rejected = await call('POST', `/libraries/${libraryId}/assets/${assetId}/workflow`, reviewer, { action: 'reject', comment: 'Too short' })
    expect(rejected.body).toMatchObject({ status: 'rejected', reviewComment: 'Too short', reviewedBy: 'reviewer' })
    expect((await call('GET', `/libraries/${libraryId}/assets/${assetId}`, owner)).body.status).toBe('draft')
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/publish`, owner)).status).toBe(422)

    paragraphText(a.doc).insert(paragraphText(a.doc).length, 'now approved.')
    await a.whenAcknowledged()
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/workflow`, member, { action: 'submit' })).body.version).toBe(2)
    const approved = await call('POST', `/libraries/${libraryId}/assets/${assetId}/workflow`, reviewer, { action: 'approve' })
    expect(approved.body).toMatchObject({ version: 2, status: 'approved' })
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/workflow`, reviewer, { action: 'approve' })).status).toBe(409)

    // Typing goes on after the approval; it is the next draft, not what goes live.
    paragraphText(b.doc).insert(0, 'TYPED AFTER APPROVAL ')
    await b.whenAcknowledged()

    const diff = (await call('GET', `/libraries/${libraryId}/assets/${assetId}/versions/1/diff/2`, member)).body
    expect(diff.body.filter((p: { added: boolean }) => p.added).map((p: { value: string }) => p.value).join('')).toContain('approved.')

    const published = await call('POST', `/libraries/${libraryId}/assets/${assetId}/publish`, owner)
    expect(published).toMatchObject({ status: 201, body: { status: 'succeeded', assetIds: [assetId], generation: 1, createdBy: 'owner' } })
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/publish`, member)).status).toBe(403)
    expect((await call('GET', `/libraries/${libraryId}/assets/${assetId}`, member)).body.liveVersion).toBe(1)

    const delivered = await deliver(site.id, site.deliveryKey, `/assets/${assetId}`)
    expect(delivered.status).toBe(200)
    const liveAsset = await delivered.json()
    expect(liveAsset).toMatchObject({ id: assetId, version: 1, type: 'web-content', fields: { title: 'Fixture asset' } })
    expect(liveAsset.html).toContain('now approved.')
    expect(liveAsset.html).not.toContain('TYPED AFTER APPROVAL')
    expect(JSON.stringify(liveAsset.body)).not.toContain('TYPED AFTER APPROVAL')
    expect(bodyText(a.doc)).toContain('TYPED AFTER APPROVAL')
    const etag = delivered.headers.get('etag')!
    expect(delivered.headers.get('cache-control')).toContain('no-cache')
    expect((await deliver(site.id, site.deliveryKey, `/assets/${assetId}`, { 'if-none-match': etag })).status).toBe(304)

    expect((await deliver(other.id, other.deliveryKey, `/assets/${assetId}`)).status).toBe(404)
    expect((await deliver(site.id, other.deliveryKey, `/assets/${assetId}`)).status).toBe(401)
    expect((await deliver(site.id, 'nonsense', `/assets/${assetId}`)).status).toBe(401)

    await waitFor(() => siteEvents.events.some((e) => e.event === 'publication'), { what: 'the site to hear of the publication' })
    expect(siteEvents.events.find((e) => e.event === 'publication')?.data).toMatchObject({ libraryId, assetIds: [assetId], generation: 1 })
    expect(otherEvents.events.filter((e) => e.event === 'publication')).toEqual([])

    const history = (await call('GET', `/libraries/${libraryId}/publications`, reviewer)).body.items
    expect(history).toMatchObject([{ status: 'succeeded', mode: 'asset', createdBy: 'owner' }])
    expect(history[0].durationMs).toBeGreaterThanOrEqual(0)
  })

  it('gives concurrent publications unique, increasing generations, and 409s name the running one', async () => {
    const { call, owner, libraryId, assetId } = await setup(store)
    expect((await call('POST', `/libraries/${libraryId}/assets/${assetId}/versions`, owner)).body.status).toBe('approved')
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', `/libraries/${libraryId}/assets/${assetId}/publish`, owner)),
    )
    const succeeded = results.filter((r) => r.status === 201)
    const refused = results.filter((r) => r.status === 409)
    expect(succeeded.length + refused.length).toBe(20)
    expect(succeeded.length).toBeGreaterThan(0)
    for (const r of refused) expect(r.body.error.message).toMatch(/a publication is running: pub_[0-9a-z]{20}/)
    const generations = succeeded.map((r) => r.body.generation as number)
    expect(new Set(generations).size).toBe(generations.length)
    const listed = (await call('GET', `/libraries/${libraryId}/publications?limit=100`, owner)).body.items
    const ordered = listed.map((p: { generation: number }) => p.generation)
    expect(ordered).toEqual([...ordered].sort((x: number, y: number) => x - y))
  })

  it('delivers collections with their live members in order, never a member that is not live', async () => {
    const { call, owner, libraryId, assetId, site, deliver } = await setup(store)
    const second = (await call('POST', `/libraries/${libraryId}/assets`, owner, { type: 'web-content', title: 'Second' })).body.id
    const collection = (
      await call('POST', `/libraries/${libraryId}/assets`, owner, {
        type: 'collection',
        title: 'Front page',
        collection: { kind: 'manual', items: [second, assetId] },
      })
    ).body.id
    await call('POST', `/libraries/${libraryId}/assets/${collection}/versions`, owner)
    const refused = await call('POST', `/libraries/${libraryId}/assets/${collection}/publish`, owner)
    expect(refused.status).toBe(422)
    expect(refused.body.error.message).toContain(second)
    for (const id of [second, assetId]) {
      await call('POST', `/libraries/${libraryId}/assets/${id}/versions`, owner)
      expect((await call('POST', `/libraries/${libraryId}/assets/${id}/publish`, owner)).status).toBe(201)
    }
    expect((await call('POST', `/libraries/${libraryId}/assets/${collection}/publish`, owner)).status).toBe(201)
    const delivered = await (await deliver(site.id, site.deliveryKey, `/collections/${collection}`)).json()
    expect(delivered.items.map((i: { id: string }) => i.id)).toEqual([second, assetId])
    expect(delivered.items.map((i: { fields: { title: string } }) => i.fields.title)).toEqual(['Second', 'Fixture asset'])
  })

  it('delivers a document’s live file with its stored type and nosniff', async () => {
    const { server, call, owner, libraryId, site, deliver } = await setup(store)
    const doc = (await call('POST', `/libraries/${libraryId}/assets`, owner, { type: 'document', title: 'Notes' })).body.id
    expect((await call('POST', `/libraries/${libraryId}/assets/${doc}/versions`, owner)).status).toBe(422)
    await fetch(`${server.url}/api/v1/libraries/${libraryId}/assets/${doc}/files?filename=notes.html`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'text/html' },
      body: '<script>alert(1)</script>',
    })
    await call('POST', `/libraries/${libraryId}/assets/${doc}/versions`, owner)
    expect((await call('POST', `/libraries/${libraryId}/assets/${doc}/publish`, owner)).status).toBe(201)
    const file = await deliver(site.id, site.deliveryKey, `/files/${doc}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(file.headers.get('x-content-type-options')).toBe('nosniff')
    expect(file.headers.get('content-disposition')).toMatch(/^attachment;/)
    expect(await file.text()).toBe('<script>alert(1)</script>')
  })
})
