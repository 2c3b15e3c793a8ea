import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { connectAsset } from '../../client/connect-asset.js'
import { bodyText } from '../helpers/body.js'
import { runScript, spawnServer } from '../helpers/process.js'
import { json } from '../helpers/server.js'
import { waitFor } from '../helpers/wait.js'

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'folio-main-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe('the embedded default', () => {
  it('starts with no configuration, seeds demo data once, and prints working tokens', async () => {
    const dataDir = tempDataDir()
    const first = await spawnServer({ DATA_DIR: dataDir, PORT: '0' })
    await waitFor(() => first.stdout().includes('Rita Reviewer'), { what: 'the demo banner' })
    const out = first.stdout()
    const tokens = Object.fromEntries(
      [...out.matchAll(/ {2}\w+ \w+ \((\w+)[^)]*\): (\S+)/g)].map((m) => [m[1], m[2]]),
    )
    expect(Object.keys(tokens).sort()).toEqual(['member', 'owner', 'reviewer'])
    const assetIds = /Its assets: (.+)/.exec(out)?.[1]?.split(', ') ?? []
    expect(assetIds).toHaveLength(3)

    const libraries = await json(await fetch(`${first.url}/api/v1/libraries`, { headers: { authorization: `Bearer ${tokens.reviewer}` } }))
    expect(libraries.items).toMatchObject([{ name: 'Demo Library', role: 'reviewer' }])
    const asset = await json(
      await fetch(`${first.url}/api/v1/libraries/${libraries.items[0].id}/assets/${assetIds[0]}`, {
        headers: { authorization: `Bearer ${tokens.member}` },
      }),
    )
    expect(asset.fields.title).toBe('Welcome to Folio')

    const provider = connectAsset(first.url, assetIds[0]!, {
      token: tokens.member!,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    })
    await provider.whenSynced()
    expect(bodyText(provider.doc)).toContain('real-time collaborative editor')
    provider.destroy()

    // `npm run token` signs with the same generated secret.
    const minted = await runScript(['server/tools/token.ts', '--sub', 'olivia', '--name', 'Olivia', '--admin'], { DATA_DIR: dataDir })
    expect(minted.code).toBe(0)
    const created = await fetch(`${first.url}/api/v1/libraries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${minted.stdout.trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Second' }),
    })
    expect(created.status).toBe(201)

    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    const second = await spawnServer({ DATA_DIR: dataDir, PORT: '0' })
    await waitFor(() => second.stdout().includes('Rita Reviewer'), { what: 'the demo banner' })
    expect(second.stdout()).not.toContain('Seeded a demo library')
    const again = await json(await fetch(`${second.url}/api/v1/libraries`, { headers: { authorization: `Bearer ${tokens.owner}` } }))
    expect(again.items.map((l: { name: string }) => l.name).sort()).toEqual(['Demo Library', 'Second'])
  })

  it('refuses bad configuration with a clear message', async () => {
    const result = await runScript(['server/main.ts'], { DATA_DIR: tempDataDir(), PORT: 'eighty', REDIS_URL: 'http://nope' })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('configuration is invalid')
    expect(result.stderr).toContain('PORT')
    expect(result.stderr).toContain('REDIS_URL must be a redis:// URL')
  })

  it('mints no token without a sub', async () => {
    const result = await runScript(['server/tools/token.ts', '--name', 'X'], { AUTH_SECRET: 'x'.repeat(32) })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--sub is required')
  })
})
