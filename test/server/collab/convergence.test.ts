import { describe, expect, it } from 'vitest'
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
})
