import { describe, expect, it } from 'vitest'
import { bodyText, paragraphText } from '../../helpers/body.js'
import { createFixture, startServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

describe('document lifecycle', () => {
  it('unloads a document nobody uses, and loads it again from the store', async () => {
    const server = await startServer({ env: { UNLOAD_AFTER_MS: '50' } })
    const { owner, assetId } = await createFixture(server)
    await waitFor(() => server.folio.hub.stats().documents === 0, { what: 'the REST read to let go' })
    const a = server.connect(assetId, owner)
    await a.whenSynced()
    expect(server.folio.hub.stats()).toMatchObject({ documents: 1, connections: 1 })
    paragraphText(a.doc).insert(0, 'kept across unloads')
    await a.whenAcknowledged()
    a.destroy()
    await waitFor(() => server.folio.hub.stats().documents === 0, { what: 'the document to unload' })
    expect(server.folio.hub.stats().connections).toBe(0)

    const b = server.connect(assetId, owner)
    await b.whenSynced()
    expect(bodyText(b.doc)).toBe('kept across unloads')
  })

  it('compacts a document’s update log as it grows', async () => {
    const server = await startServer({ env: { COMPACT_AFTER_UPDATES: '5' } })
    const { owner, assetId } = await createFixture(server)
    const a = server.connect(assetId, owner)
    await a.whenSynced()
    for (let i = 0; i < 30; i++) {
      paragraphText(a.doc).insert(0, `${i};`)
      await a.whenAcknowledged()
    }
    const rows = async () =>
      (await server.database.db.selectFrom('doc_updates').select('id').where('doc', '=', assetId).execute()).length
    await waitFor(async () => (await rows()) < 6, { what: 'compaction to keep the log short' })
    const late = server.connect(assetId, owner)
    await late.whenSynced()
    expect(bodyText(late.doc)).toBe(bodyText(a.doc))
    expect(bodyText(late.doc)).toContain('29;')
  })

  it('logs one line per join, leave and denial, and none per message', async () => {
    const server = await startServer()
    const { owner, outsider, assetId } = await createFixture(server)
    const a = server.connect(assetId, owner)
    await a.whenSynced()
    for (let i = 0; i < 20; i++) paragraphText(a.doc).insert(0, 'x')
    await a.whenAcknowledged()
    a.destroy()
    await waitFor(() => server.logs.some((l) => l.msg === 'leave'), { what: 'the leave line' })
    const denied = server.connect(assetId, outsider)
    await new Promise((resolve) => denied.on('closed', resolve))
    const collab = server.logs.filter((l) => l.doc === assetId).map((l) => [l.msg, l.user])
    expect(collab).toEqual([
      ['join', 'owner'],
      ['leave', 'owner'],
      ['deny', 'outsider'],
    ])
  })

  it('reports an unavailable store on /healthz with 503', async () => {
    const server = await startServer()
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    await server.database.destroy()
    const response = await fetch(`${server.url}/healthz`)
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ ok: false, store: false })
  })
})
