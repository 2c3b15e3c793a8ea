/**
 * The embedded default needs no configuration, so it signs tokens with a secret of its own,
 * generated once and kept beside the data. Production sets AUTH_SECRET or AUTH_JWKS_URL.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const FILE_NAME = 'dev-auth-secret'

export function devSecretPath(dataDir: string): string {
  return join(dataDir, FILE_NAME)
}

export function loadOrCreateDevSecret(dataDir: string): string {
  const existing = readDevSecret(dataDir)
  if (existing) return existing
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  // 'wx': never overwrite a secret another process wrote meanwhile.
  try {
    writeFileSync(devSecretPath(dataDir), secret, { mode: 0o600, flag: 'wx' })
    return secret
  } catch (error) {
    const raced = readDevSecret(dataDir)
    if (raced) return raced
    throw error
  }
}

export function readDevSecret(dataDir: string): string | null {
  try {
    const value = readFileSync(devSecretPath(dataDir), 'utf8').trim()
    return value.length >= 32 ? value : null
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}
