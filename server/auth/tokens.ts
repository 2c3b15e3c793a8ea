/**
 * JWT verification and minting with `jose`. A secret allows HS256 only; a JWKS URL allows the
 * asymmetric algorithms a key set publishes. `sub` and `exp` are required; `sub` must be a valid
 * user id (see shared/ids.ts).
 *
 * @example
 *   const verify = createTokenVerifier({ kind: 'secret', secret })
 *   const result = await verify(token)
 *   if (result.ok) console.log(result.user.id)
 */
import { SignJWT, createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose'
import { isUserId } from '../../shared/ids.js'

export interface User {
  readonly id: string
  readonly name: string
  readonly admin: boolean
}

export type TokenRefusal = 'missing' | 'expired' | 'invalid'
export type VerifyResult = { ok: true; user: User; expiresAt: number } | { ok: false; reason: TokenRefusal; message: string }
export type TokenVerifier = (token: string | null | undefined) => Promise<VerifyResult>

export type VerifierOptions = { kind: 'secret'; secret: string } | { kind: 'jwks'; url: string }

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA']
const MAX_TOKEN_CHARS = 8192
const CLOCK_TOLERANCE_S = 5

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const verifyJwt =
    options.kind === 'secret'
      ? (() => {
          const key = new TextEncoder().encode(options.secret)
          return (token: string) => jwtVerify(token, key, verifyOptions(['HS256']))
        })()
      : (() => {
          const keySet = createRemoteJWKSet(new URL(options.url))
          return (token: string) => jwtVerify(token, keySet, verifyOptions(ASYMMETRIC_ALGORITHMS))
        })()

  return async function verifyToken(token) {
    if (!token) return { ok: false, reason: 'missing', message: 'a token is required' }
    if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'invalid', message: 'token is too long' }
    try {
      const { payload } = await verifyJwt(token)
      return userFromPayload(payload)
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', message: 'token has expired' }
      if (error instanceof errors.JOSEError) {
        return { ok: false, reason: 'invalid', message: `token is invalid (${error.code})` }
      }
      throw error
    }
  }
}

function verifyOptions(algorithms: string[]) {
  return { algorithms, requiredClaims: ['sub', 'exp'], clockTolerance: CLOCK_TOLERANCE_S }
}

function userFromPayload(payload: JWTPayload): VerifyResult {
  if (!isUserId(payload.sub)) {
    return { ok: false, reason: 'invalid', message: 'token `sub` is not a valid user id' }
  }
  const name = typeof payload.name === 'string' && payload.name.trim() !== '' ? payload.name.slice(0, 200) : payload.sub
  return {
    ok: true,
    user: { id: payload.sub, name, admin: payload.admin === true },
    expiresAt: (payload.exp ?? 0) * 1000,
  }
}

export interface MintOptions {
  sub: string
  name?: string
  admin?: boolean
  /** A jose time span (`'7d'`, `'1h'`) or seconds since the epoch. */
  expiresIn?: string | number
}

/** Mints an HS256 token, for development tools, demo sign-in links and tests. */
export async function mintToken(secret: string, options: MintOptions): Promise<string> {
  const claims: JWTPayload = {}
  if (options.name !== undefined) claims.name = options.name
  if (options.admin) claims.admin = true
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '7d')
    .sign(new TextEncoder().encode(secret))
}
