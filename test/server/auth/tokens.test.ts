import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createTokenVerifier, mintToken } from '../../../server/auth/tokens.js'

const SECRET = 'a-test-secret-of-at-least-32-characters'
const key = new TextEncoder().encode(SECRET)
const verify = createTokenVerifier({ kind: 'secret', secret: SECRET })
const inOneHour = () => Math.floor(Date.now() / 1000) + 3600

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

describe('tokens with a shared secret', () => {
  it('accepts a minted token and reads sub, name and admin', async () => {
    const token = await mintToken(SECRET, { sub: 'alice', name: 'Alice', admin: true })
    expect(await verify(token)).toMatchObject({ ok: true, user: { id: 'alice', name: 'Alice', admin: true } })
    const plain = await mintToken(SECRET, { sub: 'bob' })
    expect(await verify(plain)).toMatchObject({ ok: true, user: { id: 'bob', name: 'bob', admin: false } })
  })

  it('refuses another algorithm, even with the right secret', async () => {
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('alice').setExpirationTime('1h').sign(key)
    expect(await verify(hs512)).toMatchObject({ ok: false, reason: 'invalid' })
    const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice', exp: inOneHour() })}.`
    expect(await verify(none)).toMatchObject({ ok: false, reason: 'invalid' })
  })

  it('refuses a bad signature', async () => {
    const other = await mintToken('another-secret-that-is-also-32-chars!', { sub: 'alice' })
    expect(await verify(other)).toMatchObject({ ok: false, reason: 'invalid' })
    const token = await mintToken(SECRET, { sub: 'alice' })
    const [header, , signature] = token.split('.')
    const tampered = `${header}.${base64url({ sub: 'admin', admin: true, exp: inOneHour() })}.${signature}`
    expect(await verify(tampered)).toMatchObject({ ok: false, reason: 'invalid' })
  })

  it('refuses an expired token', async () => {
    const token = await mintToken(SECRET, { sub: 'alice', expiresIn: Math.floor(Date.now() / 1000) - 60 })
    expect(await verify(token)).toEqual({ ok: false, reason: 'expired', message: 'token has expired' })
  })

  it('refuses a token without sub, without exp, or with a malformed sub', async () => {
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key)
    expect(await verify(noSub)).toMatchObject({ ok: false, reason: 'invalid' })
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(key)
    expect(await verify(noExp)).toMatchObject({ ok: false, reason: 'invalid' })
    const badSub = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('../etc').setExpirationTime('1h').sign(key)
    expect(await verify(badSub)).toMatchObject({ ok: false, reason: 'invalid', message: 'token `sub` is not a valid user id' })
  })

  it('refuses missing and garbage tokens', async () => {
    expect(await verify(undefined)).toMatchObject({ ok: false, reason: 'missing' })
    expect(await verify('')).toMatchObject({ ok: false, reason: 'missing' })
    expect(await verify('not.a.jwt')).toMatchObject({ ok: false, reason: 'invalid' })
    expect(await verify('x'.repeat(10_000))).toMatchObject({ ok: false, reason: 'invalid' })
  })
})

describe('tokens from a JWKS URL', () => {
  it('accepts RS256 tokens signed by a published key and refuses HS256 ones', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const { port } = server.address() as AddressInfo
    const verifyJwks = createTokenVerifier({ kind: 'jwks', url: `http://127.0.0.1:${port}/jwks.json` })

    const good = await new SignJWT({ name: 'Idp User' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('idp-user')
      .setExpirationTime('1h')
      .sign(privateKey)
    expect(await verifyJwks(good)).toMatchObject({ ok: true, user: { id: 'idp-user', name: 'Idp User' } })
    const symmetric = await mintToken(SECRET, { sub: 'idp-user' })
    expect(await verifyJwks(symmetric)).toMatchObject({ ok: false, reason: 'invalid' })
  })
})
