import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { STORE_KINDS } from '../../helpers/env.js'
import { createFixture, startServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

// The first bytes of a PNG file and a PDF file: enough for detection by magic number.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.alloc(64, 1),
])
const HTML = Buffer.from('<html><script>alert(document.cookie)</script></html>')

async function setup(store: (typeof STORE_KINDS)[number], env: Record<string, string> = {}) {
  const server = await startServer({ store, env })
  const fixture = await createFixture(server)
  const doc = (
    await (
      await server.api(`/libraries/${fixture.libraryId}/assets`, fixture.owner, {
        method: 'POST',
        body: { type: 'document', title: 'Brand guide', fields: { language: 'en' } },
      })
    ).json()
  ).id as string
  const base = `/libraries/${fixture.libraryId}/assets/${doc}`
  const upload = (token: string, bytes: Buffer, headers: Record<string, string> = {}, query = '') =>
    fetch(`${server.url}/api/v1${base}/files${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', ...headers },
      body: new Uint8Array(bytes),
    })
  const post = (token: string, path: string, body?: unknown) => server.api(`${base}${path}`, token, { method: 'POST', ...(body !== undefined ? { body } : {}) })
  return { server, ...fixture, doc, base, upload, post }
}

function blobCount(dataDir: string): number {
  const root = join(dataDir, 'blobs')
  let n = 0
  for (const a of readdirSync(root)) {
    if (a === 'tmp') continue
    for (const b of readdirSync(join(root, a))) n += readdirSync(join(root, a, b)).length
  }
  return n
}

describe.each(STORE_KINDS)('document assets on %s', (store) => {
  it('stores uploads by content with the type their bytes show, whatever the client declared', async () => {
    const { server, owner, member, base, upload } = await setup(store)
    const first = await upload(member, PNG, { 'content-type': 'application/pdf' }, '?filename=../../etc/logo.png')
    expect(first.status).toBe(201)
    expect(await first.json()).toMatchObject({ version: 1, size: PNG.length, contentType: 'image/png', filename: 'logo.png', createdBy: 'member' })
    const second = await upload(owner, HTML, { 'content-type': 'image/png' }, '?filename=evil.html')
    expect(await second.json()).toMatchObject({ version: 2, contentType: 'text/plain; charset=utf-8' })
    const again = await upload(owner, PNG, {}, '?filename=logo-again.png')
    expect(await again.json()).toMatchObject({ version: 3, contentType: 'image/png' })

    const versions = await (await server.api(`${base}/files`, member)).json()
    expect(versions.items.map((v: { version: number; createdBy: string }) => [v.version, v.createdBy])).toEqual([
      [1, 'member'],
      [2, 'owner'],
      [3, 'owner'],
    ])
    // Three versions, two distinct contents: two files on disk.
    expect(blobCount(server.dataDir)).toBe(2)

    const download = await fetch(`${server.url}/api/v1${base}/files/2`, { headers: { authorization: `Bearer ${member}` } })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(download.headers.get('x-content-type-options')).toBe('nosniff')
    expect(download.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''evil.html")
    expect(Buffer.from(await download.arrayBuffer())).toEqual(HTML)
    const asset = await (await server.api(base, member)).json()
    expect(asset).toMatchObject({ type: 'document', body: null, fields: { language: 'en' }, file: { version: 3, contentType: 'image/png' } })
    expect((await fetch(`${server.url}/api/v1${base}/files/9`, { headers: { authorization: `Bearer ${member}` } })).status).toBe(404)
  })

  it('accepts multipart uploads and refuses empty, oversize and unauthorised ones', async () => {
    const { server, reviewer, member, base, upload } = await setup(store, { MAX_UPLOAD_BYTES: '1000' })
    const form = new FormData()
    form.append('file', new Blob([PNG], { type: 'text/html' }), 'from-form.png')
    const multipart = await fetch(`${server.url}/api/v1${base}/files`, { method: 'POST', headers: { authorization: `Bearer ${member}` }, body: form })
    expect(multipart.status).toBe(201)
    expect(await multipart.json()).toMatchObject({ filename: 'from-form.png', contentType: 'image/png' })
    const tooBig = await upload(member, Buffer.alloc(5000, 7))
    expect(tooBig.status).toBe(413)
    expect((await tooBig.json()).error.code).toBe('payload_too_large')
    expect((await upload(member, Buffer.alloc(0))).status).toBe(400)
    expect((await upload(reviewer, PNG)).status).toBe(403)
    expect((await (await server.api(`${base}/files`, member)).json()).items).toHaveLength(1)
  })

  it('gives the check-out to exactly one of two users racing for it', async () => {
    const { owner, member, upload, post, server, base } = await setup(store)
    const [a, b] = await Promise.all([post(owner, '/checkout'), post(member, '/checkout')])
    expect([a.status, b.status].sort()).toEqual([200, 409])
    const [winner, loser] = a.status === 200 ? [owner, member] : [member, owner]
    const holder = a.status === 200 ? 'owner' : 'member'
    const refusal = await (a.status === 409 ? a : b).json()
    expect(refusal.error.message).toContain(`checked out by ${holder}`)
    expect((await upload(loser, PNG)).status).toBe(409)
    expect((await upload(winner, PNG)).status).toBe(201)
    expect((await (await server.api(`${base}/checkout`, loser)).json()).userId).toBe(holder)
    expect((await post(winner, '/checkin')).status).toBe(200)
    expect((await upload(loser, PNG)).status).toBe(201)
  })

  it('lets OVERRIDE_CHECKOUT take over or end a check-out, and cancel drops what was uploaded under it', async () => {
    const { owner, member, upload, post, server, base } = await setup(store)
    expect((await post(member, '/checkout', { ttlSeconds: 600 })).status).toBe(200)
    expect((await upload(member, PNG)).status).toBe(201)
    expect((await upload(member, HTML)).status).toBe(201)
    expect((await post(member, '/checkout')).status).toBe(200)
    expect((await post(owner, '/checkin')).status).toBe(200)
    expect((await post(member, '/checkout')).status).toBe(200)
    expect((await upload(member, Buffer.from('draft text'))).status).toBe(201)
    const cancelled = await (await post(member, '/checkout/cancel')).json()
    expect(cancelled).toMatchObject({ released: { userId: 'member' }, discardedVersions: 1 })
    expect((await (await server.api(`${base}/files`, owner)).json()).items.map((v: { version: number }) => v.version)).toEqual([1, 2])
    expect((await post(owner, '/checkout')).status).toBe(200)
    const forbidden = await post(member, '/checkout', { force: true })
    expect(forbidden.status).toBe(403)
    expect((await post(member, '/checkin')).status).toBe(403)
    expect((await post(owner, '/checkout', { force: true })).status).toBe(200)
    expect((await server.api(`${base}/checkout`, owner)).status).toBe(200)
  })

  it('keeps a document’s metadata collaborative', async () => {
    const { server, owner, member, base, doc } = await setup(store)
    const editor = server.connect(doc, member)
    await editor.whenSynced()
    expect(editor.doc.getMap('fields').get('language')).toBe('en')
    await server.api(base, owner, { method: 'PATCH', body: { fields: { language: 'fr', pages: 12 } } })
    await waitFor(() => editor.doc.getMap('fields').get('language') === 'fr', { what: 'the live metadata change' })
    editor.doc.getMap('fields').set('audience', 'partners')
    await editor.whenAcknowledged()
    expect((await (await server.api(base, owner)).json()).fields).toMatchObject({ language: 'fr', pages: 12, audience: 'partners' })
  })
})
