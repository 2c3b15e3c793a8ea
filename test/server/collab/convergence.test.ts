import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import { MESSAGE_AWARENESS } from '../../../shared/protocol.js'
import { awarenessFrame, openRaw, step1Frame } from '../../helpers/raw-socket.js'
import { bodyText, paragraphText } from '../../helpers/body.js'
import { createFixture, startServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

describe('concurrent typing', () => {
  it('converges two writers, and a late joiner gets everything', async () => {
    const server = await startServer()
    const { owner, member, assetId } = await createFixture(server)
    const a = server.connect(assetId, owner)
    const b = server.connect(assetId, member)
    await Promise.all([a.whenSynced(), b.whenSynced()])
    expect(bodyText(a.doc)).toBe('')

    const typed = { a: '', b: '' }
    for (let i = 0; i < 40; i++) {
      // Both type into the same paragraph at positions of their own choosing, without waiting.
      const ta = paragraphText(a.doc)
      const tb = paragraphText(b.doc)
      const ca = String.fromCharCode(97 + (i % 26))
      const cb = String.fromCharCode(65 + (i % 26))
      ta.insert(Math.floor(Math.random() * (ta.length + 1)), ca)
      tb.insert(Math.floor(Math.random() * (tb.length + 1)), cb)
      typed.a += ca
      typed.b += cb
      if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await waitFor(() => bodyText(a.doc) === bodyText(b.doc) && bodyText(a.doc).length === 80, {
      what: 'both writers to converge',
    })
    const text = bodyText(a.doc)
    expect([...text].filter((c) => c >= 'a' && c <= 'z').sort().join('')).toBe([...typed.a].sort().join(''))
    expect([...text].filter((c) => c >= 'A' && c <= 'Z').sort().join('')).toBe([...typed.b].sort().join(''))

    const late = server.connect(assetId, owner)
    await late.whenSynced()
    expect(bodyText(late.doc)).toBe(text)
    expect(late.doc.getMap('fields').get('title')).toBe('Fixture asset')
  })

  it('relays awareness to every client, the sender included', async () => {
    const server = await startServer()
    const { owner, member, assetId } = await createFixture(server)
    const raw = await openRaw(server.url, assetId, owner)
    const peer = server.connect(assetId, member)
    await peer.whenSynced()
    raw.ws.send(step1Frame())
    raw.ws.send(awarenessFrame([{ clientId: 99, clock: 1, state: { cursor: 1 } }]))
    const ownEcho = () =>
      raw.frames.some((frame) => {
        const decoder = decoding.createDecoder(frame)
        if (decoding.readVarUint(decoder) !== MESSAGE_AWARENESS) return false
        const update = decoding.readVarUint8Array(decoder)
        return new TextDecoder().decode(update).includes('"cursor":1')
      })
    await waitFor(ownEcho, { what: 'the sender to hear its own awareness' })
    await waitFor(() => peer.provider.awareness.getStates().get(99)?.cursor === 1, { what: 'the peer to hear it' })
  })
})
