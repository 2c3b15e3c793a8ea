import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  CLOSE_FORBIDDEN,
  CLOSE_NOT_FOUND,
  CLOSE_UNAUTHORIZED,
} from '../../../shared/close-codes.js'
import { createId } from '../../../shared/ids.js'
import { bodyText, paragraphText } from '../../helpers/body.js'
import { createFixture, json, startServer, type TestServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

async function refusal(server: TestServer, document: string, token: string) {
  const connection = server.connect(document, token)
  const closed = await new Promise<{ code: number; reason: string }>((resolve) => connection.on('closed', resolve))
  await waitFor(() => connection.provider.ws === null, { what: 'the provider to drop the socket' })
  return { ...closed, denied: connection.deniedReason, reconnecting: connection.provider.shouldConnect }
}

/** Types `text` and waits until `observer` sees it: proof that the write was applied and relayed. */
async function typeAndSee(writer: { doc: Y.Doc }, observer: { doc: Y.Doc }, text: string) {
  paragraphText(writer.doc).insert(0, text)
  await waitFor(() => bodyText(observer.doc).includes(text), { what: `"${text}" to reach the observer` })
}

describe('who may join, and with which access', () => {
  it('lets the owner and a member write', async () => {
    const server = await startServer()
    const { owner, member, assetId } = await createFixture(server)
    const o = server.connect(assetId, owner)
    const m = server.connect(assetId, member)
    await Promise.all([o.whenSynced(), m.whenSynced()])
    await typeAndSee(o, m, 'from the owner ')
    await typeAndSee(m, o, 'from the member ')
    await Promise.all([o.whenAcknowledged(), m.whenAcknowledged()])
  })

  it('keeps a reviewer read-only: live changes arrive, their edits reach no one and no store', async () => {
    const server = await startServer()
    const { owner, reviewer, libraryId, assetId } = await createFixture(server)
    const o = server.connect(assetId, owner)
    const r = server.connect(assetId, reviewer)
    await Promise.all([o.whenSynced(), r.whenSynced()])
    await typeAndSee(o, r, 'owner text ')

    paragraphText(r.doc).insert(0, 'REVIEWER WAS HERE ')
    // The server answers the first refused write: from then on it has seen (and dropped) the edit.
    await waitFor(() => r.deniedReason?.startsWith('read-only'), { what: 'the read-only answer' })
    await typeAndSee(o, r, 'second ')
    await o.whenAcknowledged()
    expect(bodyText(o.doc)).not.toContain('REVIEWER')

    const late = server.connect(assetId, owner)
    await late.whenSynced()
    expect(bodyText(late.doc)).not.toContain('REVIEWER')
    const stored = await json(await server.api(`/libraries/${libraryId}/assets/${assetId}`, owner))
    expect(JSON.stringify(stored.body)).not.toContain('REVIEWER')
    expect(JSON.stringify(stored.body)).toContain('second')
  })

  it('relays a read-only user’s presence, under the name from their token', async () => {
    const server = await startServer()
    const { owner, reviewer, assetId } = await createFixture(server)
    const o = server.connect(assetId, owner)
    const r = server.connect(assetId, reviewer)
    await Promise.all([o.whenSynced(), r.whenSynced()])
    r.provider.awareness.setLocalStateField('cursor', { anchor: 1 })
    const state = await waitFor(() => o.provider.awareness.getStates().get(r.doc.clientID), {
      what: 'the reviewer’s awareness at the owner',
    })
    expect(state.user).toMatchObject({ id: 'reviewer', name: 'Rex Reviewer' })
    expect(state.cursor).toEqual({ anchor: 1 })
  })

  it('lets a reviewer write comments, which reach others and the store', async () => {
    const server = await startServer()
    const { owner, reviewer, assetId } = await createFixture(server)
    const comments = `${assetId}/comments`
    const r = server.connect(comments, reviewer)
    const o = server.connect(comments, owner)
    await Promise.all([o.whenSynced(), r.whenSynced()])
    r.doc.getArray('threads').push([{ text: 'Please rephrase the intro', author: 'reviewer' }])
    await waitFor(() => o.doc.getArray('threads').length === 1, { what: 'the comment at the owner' })
    await r.whenAcknowledged()
    expect(r.deniedReason).toBeNull()

    const rows = await server.database.db
      .selectFrom('doc_updates')
      .select('data')
      .where('doc', '=', comments)
      .execute()
    const stored = new Y.Doc()
    for (const row of rows) Y.applyUpdate(stored, row.data)
    expect(stored.getArray('threads').toJSON()).toEqual([{ text: 'Please rephrase the intro', author: 'reviewer' }])
  })

  it('refuses an outsider with 4403, and stops the client from reconnecting', async () => {
    const server = await startServer()
    const { outsider, assetId } = await createFixture(server)
    const result = await refusal(server, assetId, outsider)
    expect(result).toMatchObject({ code: CLOSE_FORBIDDEN, reconnecting: false })
    expect(result.denied).toMatch(/may not view/)
  })

  it('refuses expired, forged and missing tokens with 4401', async () => {
    const server = await startServer()
    const { assetId } = await createFixture(server)
    const expired = await server.token('owner', { expiresIn: Math.floor(Date.now() / 1000) - 60 })
    expect(await refusal(server, assetId, expired)).toMatchObject({ code: CLOSE_UNAUTHORIZED, denied: 'token has expired' })
    const [header, payload] = (await server.token('owner')).split('.')
    const forged = `${header}.${payload}.${'A'.repeat(43)}`
    expect(await refusal(server, assetId, forged)).toMatchObject({ code: CLOSE_UNAUTHORIZED })
    expect(await refusal(server, assetId, '')).toMatchObject({ code: CLOSE_UNAUTHORIZED, denied: 'a token is required' })
  })

  it('refuses unknown assets and malformed document names with 4404', async () => {
    const server = await startServer()
    const { owner, assetId } = await createFixture(server)
    expect(await refusal(server, createId('ast'), owner)).toMatchObject({ code: CLOSE_NOT_FOUND })
    expect(await refusal(server, `${assetId}/nonsense`, owner)).toMatchObject({ code: CLOSE_NOT_FOUND })
    expect(await refusal(server, '__proto__', owner)).toMatchObject({ code: CLOSE_NOT_FOUND })
  })

  it('downgrades a typing member to read-only, then closes them with 4403 when removed', async () => {
    const server = await startServer()
    const { owner, member, libraryId, assetId } = await createFixture(server)
    const o = server.connect(assetId, owner)
    const m = server.connect(assetId, member)
    await Promise.all([o.whenSynced(), m.whenSynced()])
    await typeAndSee(m, o, 'before ')

    const put = await server.api(`/libraries/${libraryId}/members/member`, owner, { method: 'PUT', body: { role: 'reviewer' } })
    expect(put.status).toBe(200)
    paragraphText(m.doc).insert(0, 'AFTER DOWNGRADE ')
    await waitFor(() => m.deniedReason?.startsWith('read-only'), { timeoutMs: 1000, what: 'the downgrade' })
    await typeAndSee(o, m, 'owner still writes ')
    expect(bodyText(o.doc)).not.toContain('AFTER DOWNGRADE')

    const closed = new Promise<{ code: number }>((resolve) => m.on('closed', resolve))
    const del = await server.api(`/libraries/${libraryId}/members/member`, owner, { method: 'DELETE' })
    expect(del.status).toBe(204)
    expect((await closed).code).toBe(CLOSE_FORBIDDEN)
  })
})

describe('a role change while typing', () => {
  it('stops applying a typing member’s edits within a second of the change', async () => {
    const server = await startServer()
    const { owner, member, libraryId, assetId } = await createFixture(server)
    const o = server.connect(assetId, owner)
    const m = server.connect(assetId, member)
    await Promise.all([o.whenSynced(), m.whenSynced()])
    let typed = 0
    const typing = setInterval(() => paragraphText(m.doc).insert(0, `<${typed++}>`), 5)
    try {
      await waitFor(() => bodyText(o.doc).includes('<10>'), { what: 'typing to reach the owner' })
      const changedAt = Date.now()
      const put = await server.api(`/libraries/${libraryId}/members/member`, owner, { method: 'PUT', body: { role: 'reviewer' } })
      expect(put.status).toBe(200)
      // Everything typed from here on reaches the server after the change.
      const firstAfter = typed
      await waitFor(() => m.deniedReason?.startsWith('read-only'), { what: 'the downgrade to reach the typist' })
      expect(Date.now() - changedAt).toBeLessThan(1000)
      await waitFor(() => typed > firstAfter + 20, { what: 'more typing after the change' })
      clearInterval(typing)
      // An owner edit acknowledged now was ordered after every member edit the server received.
      paragraphText(o.doc).insert(0, '[owner]')
      await o.whenAcknowledged()
      const late = server.connect(assetId, owner)
      await late.whenSynced()
      const text = bodyText(late.doc)
      expect(text).toContain('<10>')
      for (let i = firstAfter; i < typed; i++) expect(text).not.toContain(`<${i}>`)
    } finally {
      clearInterval(typing)
    }
  })
})
