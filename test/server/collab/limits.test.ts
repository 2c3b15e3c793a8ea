import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { CLOSE_INTERNAL_ERROR, CLOSE_TOO_MANY_CONNECTIONS } from '../../../shared/close-codes.js'
import { paragraphText } from '../../helpers/body.js'
import { createFixture, startServer, type TestServer } from '../../helpers/server.js'

/** Opens a raw socket to `path` with an Origin header; resolves with the upgrade's outcome. */
function upgradeAt(server: TestServer, path: string, origin?: string) {
  return new Promise<{ opened: true } | { opened: false; status: number }>((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}`, {
      ...(origin ? { origin } : {}),
    })
    ws.on('open', () => {
      ws.terminate()
      resolve({ opened: true })
    })
    ws.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 })
      ws.terminate()
    })
    // The refusal itself is reported through 'unexpected-response'; the error that follows is noise.
    ws.on('error', () => undefined)
  })
}

function upgrade(server: TestServer, document: string, token: string, origin?: string) {
  return upgradeAt(server, `/collab/${document}?token=${token}`, origin)
}

describe('connection limits and origins', () => {
  it('refuses browsers from other origins unless they are allowed', async () => {
    const server = await startServer({ env: { ALLOWED_ORIGINS: 'https://cms.example.com' } })
    const { owner, assetId } = await createFixture(server)
    expect(await upgrade(server, assetId, owner, 'https://evil.example.com')).toEqual({ opened: false, status: 403 })
    expect(await upgrade(server, assetId, owner, 'https://cms.example.com')).toEqual({ opened: true })
    expect(await upgrade(server, assetId, owner)).toEqual({ opened: true })

    const sameOrigin = await startServer()
    const fixture = await createFixture(sameOrigin)
    expect(await upgrade(sameOrigin, fixture.assetId, fixture.owner, sameOrigin.url)).toEqual({ opened: true })
    expect(await upgrade(sameOrigin, fixture.assetId, fixture.owner, 'https://evil.example.com')).toEqual({ opened: false, status: 403 })
  })

  it('answers other paths with 404 instead of upgrading', async () => {
    const server = await startServer()
    const { owner } = await createFixture(server)
    const response = await upgradeAt(server, `/elsewhere?token=${owner}`)
    expect(response).toEqual({ opened: false, status: 404 })
  })

  it('limits the connections one user may hold open', async () => {
    const server = await startServer({ env: { MAX_CONNECTIONS_PER_USER: '2' } })
    const { owner, member, assetId } = await createFixture(server)
    const first = server.connect(assetId, owner)
    const second = server.connect(`${assetId}/comments`, owner)
    await Promise.all([first.whenSynced(), second.whenSynced()])
    const third = server.connect(assetId, owner)
    const closed = await new Promise<{ code: number }>((resolve) => third.on('closed', resolve))
    expect(closed.code).toBe(CLOSE_TOO_MANY_CONNECTIONS)
    const other = server.connect(assetId, member)
    await other.whenSynced()
  })

  it('closes a document’s clients with 1011 when the store fails, without acknowledging', async () => {
    const server = await startServer()
    const { owner, assetId } = await createFixture(server)
    const a = server.connect(assetId, owner)
    await a.whenSynced()
    const closed = new Promise<{ code: number } | null>((resolve) => a.provider.on('connection-close', (event) => resolve(event)))
    await server.database.destroy()
    paragraphText(a.doc).insert(0, 'never stored')
    expect((await closed)?.code).toBe(CLOSE_INTERNAL_ERROR)
    expect(a.isAcknowledged()).toBe(false)
    expect(server.logs.some((l) => l.msg === 'commit failed; document dropped')).toBe(true)
  })
})
