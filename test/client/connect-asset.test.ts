import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { connectAsset } from '../../client/connect-asset.js'
import { CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED } from '../../shared/close-codes.js'
import { paragraphText } from '../helpers/body.js'
import { createFixture, startServer } from '../helpers/server.js'

describe('connectAsset', () => {
  it('tells when every local edit is durably acknowledged', async () => {
    const server = await startServer({ env: { COMMIT_DELAY_MS: '30' } })
    const { owner, assetId } = await createFixture(server)
    const a = server.connect(assetId, owner)
    await a.whenSynced()
    expect(a.isAcknowledged()).toBe(true)
    const changes: boolean[] = []
    a.on('acknowledged', (value) => changes.push(value))

    paragraphText(a.doc).insert(0, 'pending')
    expect(a.isAcknowledged()).toBe(false)
    await a.whenAcknowledged()
    expect(a.isAcknowledged()).toBe(true)
    expect(changes).toEqual([false, true])
    expect(a.acknowledgedClock).toBeGreaterThan(0)
  })

  it('stops reconnecting after a 44xx close and reports why', async () => {
    const server = await startServer()
    const { outsider, assetId } = await createFixture(server)
    const denied = server.connect(assetId, outsider)
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => denied.on('closed', resolve))
    expect(closed).toEqual({ code: CLOSE_FORBIDDEN, reason: 'you may not view this asset' })
    expect(denied.closeInfo).toEqual(closed)
    expect(denied.deniedReason).toBe('you may not view this asset')
    expect(denied.provider.shouldConnect).toBe(false)
    await expect(denied.whenSynced(2000)).rejects.toThrow(/connection closed \(4403\)/)

    const anonymous = server.connect(assetId, 'not-a-token')
    await expect(anonymous.whenSynced(5000)).rejects.toThrow(/4401/)
    expect(anonymous.closeInfo?.code).toBe(CLOSE_UNAUTHORIZED)
  })

  it('reports that a read-only document refused local edits', async () => {
    const server = await startServer()
    const { reviewer, assetId } = await createFixture(server)
    const r = server.connect(assetId, reviewer)
    await r.whenSynced()
    const denied = new Promise<string>((resolve) => r.on('denied', resolve))
    paragraphText(r.doc).insert(0, 'nope')
    expect(await denied).toMatch(/^read-only/)
    expect(r.isAcknowledged()).toBe(false)
    expect(r.closeInfo).toBeNull()
  })
})

describe('connectAsset after a lost acknowledgement', () => {
  it('counts edits the server already holds as acknowledged on reconnect', async () => {
    const server = await startServer()
    const { owner, assetId } = await createFixture(server)
    const a = server.connect(assetId, owner)
    await a.whenSynced()
    paragraphText(a.doc).insert(0, 'stored already')
    await a.whenAcknowledged()
    a.destroy()

    // The same client's document, as if the echo had been lost with the old socket.
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(a.doc))
    // Set after applying: Yjs picks a new id when a remote update carries its own.
    copy.clientID = a.doc.clientID
    const b = connectAsset(server.url, assetId, {
      token: owner,
      doc: copy,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    })
    expect(b.isAcknowledged()).toBe(false)
    await b.whenAcknowledged()
    b.destroy()
  })
})
