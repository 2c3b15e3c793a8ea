import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { connectAsset, type AssetConnection } from '../../../client/connect-asset.js'
import { mintToken } from '../../../server/auth/tokens.js'
import { bodyText, paragraphText } from '../../helpers/body.js'
import { testDatabaseEnv } from '../../helpers/database.js'
import { TEST_SECRET } from '../../helpers/env.js'
import { freePort, spawnServer } from '../../helpers/process.js'
import { json } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

interface Typist {
  connection: AssetConnection
  /** Each inserted token and the client's clock right after it. */
  typed: { token: string; clock: number }[]
}

function startTyping(connection: AssetConnection, prefix: string): { typist: Typist; stop: () => void } {
  const typist: Typist = { connection, typed: [] }
  let i = 0
  const timer = setInterval(() => {
    const token = `<${prefix}${i++}>`
    paragraphText(connection.doc).insert(0, token)
    typist.typed.push({ token, clock: Y.getState(connection.doc.store, connection.doc.clientID) })
  }, 2)
  return { typist, stop: () => clearInterval(timer) }
}

function acknowledgedTokens(typist: Typist, clock: number): string[] {
  return typist.typed.filter((t) => t.clock <= clock).map((t) => t.token)
}

describe('durability across SIGKILL', () => {
  for (const store of ['sqlite', 'postgres'] as const) {
    it(`keeps every acknowledged edit when the node is killed mid-typing (${store})`, async () => {
      const port = await freePort()
      const env = { ...testDatabaseEnv(store), PORT: String(port), AUTH_SECRET: TEST_SECRET, SEED_DEMO: 'false' }
      const first = await spawnServer(env)
      const owner = await mintToken(TEST_SECRET, { sub: 'owner', name: 'Owner', admin: true })
      const member = await mintToken(TEST_SECRET, { sub: 'member', name: 'Member' })
      const api = (path: string, body: unknown, method = 'POST') =>
        fetch(`${first.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(json)
      const library = await api('/libraries', { name: 'Crash test' })
      await api(`/libraries/${library.id}/members/member`, { role: 'member' }, 'PUT')
      const asset = await api(`/libraries/${library.id}/assets`, { type: 'web-content', title: 'Crash' })

      const connect = (token: string, doc?: Y.Doc) =>
        connectAsset(first.url, asset.id, {
          token,
          WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
          maxBackoffTimeMs: 200,
          ...(doc ? { doc } : {}),
        })
      const a = connect(owner)
      const b = connect(member)
      await Promise.all([a.whenSynced(), b.whenSynced()])
      const typingA = startTyping(a, 'a')
      const typingB = startTyping(b, 'b')
      await waitFor(() => acknowledgedTokens(typingA.typist, a.acknowledgedClock).length > 20 && acknowledgedTokens(typingB.typist, b.acknowledgedClock).length > 20, {
        what: 'both typists to have acknowledged edits',
      })

      first.child.kill('SIGKILL')
      await first.exited
      typingA.stop()
      typingB.stop()
      // Acknowledgements that were already on the wire count too: the server sent them after commit.
      const ackedA = acknowledgedTokens(typingA.typist, a.acknowledgedClock)
      const ackedB = acknowledgedTokens(typingB.typist, b.acknowledgedClock)
      // No client may resync its edits into the new node before we look at what was stored.
      const docA = a.doc
      a.destroy()
      b.destroy()

      const second = await spawnServer(env)
      const stored = await fetch(`${second.url}/api/v1/libraries/${library.id}/assets/${asset.id}`, {
        headers: { authorization: `Bearer ${owner}` },
      }).then(json)
      const storedText = JSON.stringify(stored.body)
      const lost = [...ackedA, ...ackedB].filter((token) => !storedText.includes(token))
      expect(lost).toEqual([])

      // What was typed but not acknowledged comes back with the client's own sync.
      const again = connect(owner, docA)
      await again.whenSynced()
      await again.whenAcknowledged()
      const reader = connect(member)
      await reader.whenSynced()
      const text = bodyText(reader.doc)
      expect(typingA.typist.typed.filter((t) => !text.includes(t.token))).toEqual([])
      again.destroy()
      reader.destroy()
    })
  }
})
