import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  CLOSE_BAD_MESSAGE,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNSUPPORTED_DATA,
} from '../../../shared/close-codes.js'
import { SYNC_STEP_1, SYNC_STEP_2, SYNC_UPDATE } from '../../../shared/protocol.js'
import { bodyText, paragraphText } from '../../helpers/body.js'
import { awarenessFrame, frame, openRaw, step1Frame, syncFrame } from '../../helpers/raw-socket.js'
import { createFixture, startServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

/** A well-formed update that inserts `text` into the body, from a doc that knows the server state. */
function insertUpdate(base: Y.Doc, text: string): Uint8Array {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base))
  const before = Y.encodeStateVector(doc)
  paragraphText(doc).insert(0, text)
  return Y.encodeStateAsUpdate(doc, before)
}

async function setup(env: Record<string, string> = {}) {
  const server = await startServer({ env })
  const fixture = await createFixture(server)
  // A well-behaved client that must keep working through everything the bad ones send.
  const good = server.connect(fixture.assetId, fixture.member)
  await good.whenSynced()
  const stillServed = async (marker: string) => {
    paragraphText(good.doc).insert(0, marker)
    await good.whenAcknowledged()
    const witness = server.connect(fixture.assetId, fixture.owner)
    await witness.whenSynced()
    expect(bodyText(witness.doc)).toContain(marker)
    witness.destroy()
  }
  return { server, ...fixture, good, stillServed }
}

describe('bad input closes one socket and changes nothing', () => {
  it('closes on a text frame with 1003', async () => {
    const { server, owner, assetId, stillServed } = await setup()
    const raw = await openRaw(server.url, assetId, owner)
    raw.ws.send('hello')
    expect((await raw.closed).code).toBe(CLOSE_UNSUPPORTED_DATA)
    await stillServed('after text ')
  })

  it('closes on truncated messages, unknown types and trailing bytes with 4400', async () => {
    const { server, owner, assetId, good, stillServed } = await setup()
    const before = bodyText(good.doc)
    const update = insertUpdate(good.doc, 'TRUNCATED')
    const cases: [string, Uint8Array][] = [
      ['truncated sync update', syncFrame(SYNC_UPDATE, update).slice(0, 6)],
      ['unknown message type', frame((e) => e.bufs.push(new Uint8Array([99])))],
      ['unknown sync step', syncFrame(7, new Uint8Array([0, 0]))],
      ['empty frame', new Uint8Array(0)],
      ['trailing bytes', new Uint8Array([...syncFrame(SYNC_UPDATE, update), 1, 2, 3])],
      ['oversized varint', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])],
    ]
    for (const [what, bytes] of cases) {
      const raw = await openRaw(server.url, assetId, owner)
      raw.ws.send(bytes)
      expect((await raw.closed).code, what).toBe(CLOSE_BAD_MESSAGE)
    }
    await stillServed('after garbage ')
    expect(bodyText(good.doc)).not.toContain('TRUNCATED')
    expect(bodyText(good.doc)).toBe(`after garbage ${before}`)
  })

  it('refuses a malformed Yjs update whole: nothing of it is applied', async () => {
    const { server, owner, assetId, good, stillServed } = await setup()
    const update = insertUpdate(good.doc, 'HALF')
    // Structs intact, delete set cut off: Y.applyUpdate alone would integrate the structs.
    const corrupt = update.slice(0, update.length - 1)
    for (const step of [SYNC_STEP_2, SYNC_UPDATE]) {
      const raw = await openRaw(server.url, assetId, owner)
      raw.ws.send(syncFrame(step, corrupt))
      expect((await raw.closed).code).toBe(CLOSE_BAD_MESSAGE)
    }
    const raw = await openRaw(server.url, assetId, owner)
    raw.ws.send(syncFrame(SYNC_STEP_1, new Uint8Array([5, 1])))
    expect((await raw.closed).code, 'malformed state vector').toBe(CLOSE_BAD_MESSAGE)
    await stillServed('after corrupt ')
    expect(bodyText(good.doc)).not.toContain('HALF')
  })

  it('closes on an oversize frame with 1009', async () => {
    const { server, owner, assetId, stillServed } = await setup({ MAX_MESSAGE_BYTES: '2048' })
    const raw = await openRaw(server.url, assetId, owner)
    raw.ws.send(syncFrame(SYNC_UPDATE, new Uint8Array(4096)))
    expect((await raw.closed).code).toBe(CLOSE_MESSAGE_TOO_BIG)
    await stillServed('after oversize ')
  })

  it('binds awareness to the connection: no other client id, and the token’s name', async () => {
    const { server, owner, member, assetId, good } = await setup()
    const raw = await openRaw(server.url, assetId, owner)
    raw.ws.send(step1Frame())
    raw.ws.send(awarenessFrame([{ clientId: 4242, clock: 1, state: { user: { id: 'someone', name: 'Mallory' }, x: 1 } }]))
    const own = await waitFor(() => good.provider.awareness.getStates().get(4242), { what: 'the raw client’s presence' })
    expect(own).toEqual({ user: { id: 'owner', name: 'Olga Owner' }, x: 1 })

    // Speaking for the good client, or for a new id, is dropped; the connection stays open.
    raw.ws.send(awarenessFrame([{ clientId: good.doc.clientID, clock: 99, state: { user: { name: 'Spoof' } } }]))
    raw.ws.send(awarenessFrame([{ clientId: 777, clock: 1, state: { user: { name: 'Ghost' } } }]))
    raw.ws.send(awarenessFrame([{ clientId: 4242, clock: 2, state: { marker: 'last' } }]))
    await waitFor(() => good.provider.awareness.getStates().get(4242)?.marker === 'last', { what: 'the last state' })
    expect(good.provider.awareness.getStates().has(777)).toBe(false)
    expect(good.provider.awareness.getLocalState()?.user?.name).not.toBe('Spoof')

    // Another user cannot take the id over (the same user may: that is a reconnect).
    const other = await openRaw(server.url, assetId, member)
    other.ws.send(awarenessFrame([{ clientId: 4242, clock: 50, state: { user: { name: 'Takeover' } } }]))
    const fresh = server.connect(assetId, owner)
    await fresh.whenSynced()
    await waitFor(() => fresh.provider.awareness.getStates().get(4242)?.marker === 'last', { what: 'the bound state' })
    expect(fresh.provider.awareness.getStates().get(4242)?.user).toEqual({ id: 'owner', name: 'Olga Owner' })

    const broken = await openRaw(server.url, assetId, owner)
    broken.ws.send(frame((e) => e.bufs.push(new Uint8Array([1, 3, 1, 9, 1]))))
    expect((await broken.closed).code, 'truncated awareness').toBe(CLOSE_BAD_MESSAGE)
    const notJson = await openRaw(server.url, assetId, owner)
    notJson.ws.send(awarenessFrame([{ clientId: 5, clock: 1, state: [1, 2] }]))
    expect((await notJson.closed).code, 'array state').toBe(CLOSE_BAD_MESSAGE)
  })

  it('removes a leaving client’s presence for everyone', async () => {
    const { server, owner, assetId, good } = await setup()
    const raw = await openRaw(server.url, assetId, owner)
    raw.ws.send(awarenessFrame([{ clientId: 31337, clock: 1, state: { here: true } }]))
    await waitFor(() => good.provider.awareness.getStates().has(31337), { what: 'presence' })
    raw.ws.close()
    await waitFor(() => !good.provider.awareness.getStates().has(31337), { what: 'presence to go' })
  })
})

describe('updates with missing dependencies and broken handshakes', () => {
  it('drops an update that depends on changes the server lacks, and asks for a resync', async () => {
    const server = await startServer()
    const { owner, assetId } = await createFixture(server)
    // Client 777 writes two inserts; only the second one is sent, so it has a gap before it.
    const doc = new Y.Doc()
    doc.clientID = 777
    doc.getText('t').insert(0, 'first')
    const between = Y.encodeStateVector(doc)
    doc.getText('t').insert(5, ' second')
    const orphan = Y.encodeStateAsUpdate(doc, between)
    const raw = await openRaw(server.url, assetId, owner)
    raw.ws.send(syncFrame(SYNC_UPDATE, orphan))
    expect((await raw.closed).code).toBe(CLOSE_TRY_AGAIN_LATER)

    const witness = await openRaw(server.url, assetId, owner)
    witness.ws.send(step1Frame())
    await waitFor(() => witness.doc.getMap('fields').get('title') === 'Fixture asset', { what: 'the witness to sync' })
    expect(Y.decodeStateVector(Y.encodeStateVector(witness.doc)).has(777)).toBe(false)
    expect(witness.doc.getText('t').toString()).toBe('')
  })

  it('gives back what a join held when the WebSocket handshake is malformed', async () => {
    const server = await startServer({ env: { UNLOAD_AFTER_MS: '30' } })
    const { owner, assetId } = await createFixture(server)
    await waitFor(() => server.folio.hub.stats().documents === 0, { what: 'the REST read to let go' })
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(
          `GET /collab/${assetId}?token=${owner} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: not-a-key\r\nSec-WebSocket-Version: 13\r\n\r\n',
        )
      })
      let text = ''
      socket.on('data', (chunk) => (text += chunk.toString()))
      socket.on('close', () => resolve(text))
      socket.on('error', reject)
    })
    expect(response).toMatch(/^HTTP\/1.1 400/)
    await waitFor(() => server.folio.hub.stats().documents === 0, { what: 'the document to unload' })
  })
})
