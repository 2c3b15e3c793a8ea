import { describe, expect, it } from 'vitest'
import { createId } from '../../../shared/ids.js'
import { STORE_KINDS } from '../../helpers/env.js'
import { startServer } from '../../helpers/server.js'

async function setup(store: (typeof STORE_KINDS)[number]) {
  const server = await startServer({ store })
  const call = async (method: string, path: string, token: string | null, body?: unknown, raw?: string) => {
    const headers: Record<string, string> = {}
    if (token) headers.authorization = `Bearer ${token}`
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json'
    const response = await server.folio.app.request(`/api/v1${path}`, {
      method,
      headers,
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }
  const admin = await server.token('admin', { name: 'Ada Admin', admin: true })
  const alice = await server.token('alice', { name: 'Alice' })
  const bob = await server.token('bob', { name: 'Bob' })
  return { server, call, admin, alice, bob }
}

function expectError(response: { status: number; body: any }, status: number, code: string) {
  expect(response.status).toBe(status)
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } })
}

describe.each(STORE_KINDS)('REST on %s', (store) => {
  it('creates a library, adds a member, creates an asset and reads it back', async () => {
    const { call, admin, alice } = await setup(store)
    const created = await call('POST', '/libraries', admin, { name: '  Brand assets ', description: 'Shared' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ name: 'Brand assets', description: 'Shared', role: 'owner', stagingEnabled: false })
    const lib = created.body.id

    expect((await call('PUT', `/libraries/${lib}/members/alice`, admin, { role: 'member' })).status).toBe(201)
    expect((await call('PUT', `/libraries/${lib}/members/alice`, admin, { role: 'member' })).status).toBe(200)
    expect((await call('GET', `/libraries/${lib}/members/alice`, alice)).body).toMatchObject({ userId: 'alice', role: 'member' })
    expect((await call('GET', `/libraries/${lib}/members`, alice)).body.items.map((m: any) => m.userId)).toEqual(['admin', 'alice'])
    expect((await call('GET', '/libraries', alice)).body.items).toMatchObject([{ id: lib, role: 'member' }])

    const body = {
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Hello' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'bold', marks: [{ type: 'strong' }] }] },
      ],
    }
    const asset = await call('POST', `/libraries/${lib}/assets`, alice, {
      type: 'web-content',
      title: 'Greeting',
      description: 'A hello',
      fields: { slug: 'greeting', weight: 3 },
      body,
    })
    expect(asset.status).toBe(201)
    const read = await call('GET', `/libraries/${lib}/assets/${asset.body.id}`, alice)
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({
      id: asset.body.id,
      libraryId: lib,
      type: 'web-content',
      status: 'draft',
      liveVersion: null,
      fields: { title: 'Greeting', description: 'A hello', slug: 'greeting', weight: 3 },
      body: {
        type: 'doc',
        content: [
          { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Hello' }] },
          { type: 'paragraph', content: [{ type: 'text', text: 'bold', marks: [{ type: 'strong' }] }] },
        ],
      },
    })
    const untitled = await call('POST', `/libraries/${lib}/assets`, alice, { type: 'web-content', title: 'Empty' })
    expect((await call('GET', `/libraries/${lib}/assets/${untitled.body.id}`, alice)).body.body).toEqual({
      type: 'doc',
      content: [{ type: 'paragraph' }],
    })
  })

  it('answers 401 without a valid token', async () => {
    const { call, server } = await setup(store)
    expectError(await call('GET', '/libraries', null), 401, 'unauthorized')
    expectError(await call('GET', '/libraries', 'garbage'), 401, 'unauthorized')
    const expired = await server.token('alice', { expiresIn: Math.floor(Date.now() / 1000) - 10 })
    expectError(await call('GET', '/libraries', expired), 401, 'token_expired')
  })

  it('answers 403 for what the caller may not do, and 404 for what they may not see', async () => {
    const { call, admin, alice, bob } = await setup(store)
    expectError(await call('POST', '/libraries', alice, { name: 'Mine' }), 403, 'forbidden')
    const lib = (await call('POST', '/libraries', admin, { name: 'L' })).body.id
    await call('PUT', `/libraries/${lib}/members/alice`, admin, { role: 'reviewer' })
    expectError(await call('POST', `/libraries/${lib}/assets`, alice, { type: 'web-content', title: 'x' }), 403, 'forbidden')
    expectError(await call('PUT', `/libraries/${lib}/members/bob`, alice, { role: 'member' }), 403, 'forbidden')
    expectError(await call('GET', `/libraries/${lib}`, bob), 404, 'not_found')
    expectError(await call('GET', `/libraries/${createId('lib')}`, admin), 404, 'not_found')
    const asset = (await call('POST', `/libraries/${lib}/assets`, admin, { type: 'web-content', title: 'x' })).body.id
    expectError(await call('GET', `/libraries/${lib}/assets/${createId('ast')}`, alice), 404, 'not_found')
    const other = (await call('POST', '/libraries', admin, { name: 'Other' })).body.id
    expectError(await call('GET', `/libraries/${other}/assets/${asset}`, admin), 404, 'not_found')
    expectError(await call('GET', '/nowhere', admin), 404, 'not_found')
  })

  it('keeps Owner and Admin grants to Owners, and at least one Owner', async () => {
    const { call, admin, alice } = await setup(store)
    const lib = (await call('POST', '/libraries', admin, { name: 'L' })).body.id
    await call('PUT', `/libraries/${lib}/members/alice`, admin, { role: 'admin' })
    expect((await call('PUT', `/libraries/${lib}/members/carol`, alice, { role: 'member' })).status).toBe(201)
    expectError(await call('PUT', `/libraries/${lib}/members/carol`, alice, { role: 'admin' }), 403, 'forbidden')
    expectError(await call('DELETE', `/libraries/${lib}/members/admin`, alice), 403, 'forbidden')
    expectError(await call('PUT', `/libraries/${lib}/members/admin`, admin, { role: 'member' }), 422, 'last_owner')
    expectError(await call('DELETE', `/libraries/${lib}/members/admin`, admin), 422, 'last_owner')
    expectError(await call('PUT', `/libraries/${lib}/members/carol`, admin, { role: 'superuser' }), 422, 'unprocessable')
    expectError(await call('DELETE', `/libraries/${lib}/members/nobody`, admin), 404, 'not_found')
    expect((await call('DELETE', `/libraries/${lib}/members/carol`, alice)).status).toBe(204)
  })

  it('answers 400 for malformed input and 422 for input that breaks a rule', async () => {
    const { call, admin } = await setup(store)
    expectError(await call('POST', '/libraries', admin, { name: '' }), 400, 'invalid_request')
    expectError(await call('POST', '/libraries', admin, { name: 42 }), 400, 'invalid_request')
    expectError(await call('POST', '/libraries', admin, undefined, '{"name": '), 400, 'invalid_json')
    expectError(await call('GET', '/libraries/__proto__', admin), 400, 'invalid_request')
    const lib = (await call('POST', '/libraries', admin, { name: 'L' })).body.id
    expectError(await call('GET', `/libraries/${lib}/assets/constructor`, admin), 400, 'invalid_request')
    expectError(await call('PUT', `/libraries/${lib}/members/a%20b`, admin, { role: 'member' }), 400, 'invalid_request')
    expectError(await call('POST', `/libraries/${lib}/assets`, admin, { type: 'video', title: 'x' }), 400, 'invalid_request')
    const hostile = { type: 'doc', content: [{ type: 'script', content: [{ type: 'text', text: 'alert(1)' }] }] }
    expectError(await call('POST', `/libraries/${lib}/assets`, admin, { type: 'web-content', title: 'x', body: hostile }), 422, 'invalid_body')
    const notDoc = { type: 'paragraph' }
    expectError(await call('POST', `/libraries/${lib}/assets`, admin, { type: 'web-content', title: 'x', body: notDoc }), 422, 'invalid_body')
    expectError(
      await call('POST', `/libraries/${lib}/assets`, admin, { type: 'web-content', title: 'x', fields: { __proto__x: 1, 'bad key': 2 } }),
      400,
      'invalid_request',
    )
  })

  it('answers 413 for an oversize body', async () => {
    const { call, admin } = await setup(store)
    expectError(await call('POST', '/libraries', admin, { name: 'x', description: 'y'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large')
  })

  it('reports health', async () => {
    const { server } = await setup(store)
    const response = await server.folio.app.request('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true, store: true })
  })
})
