import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../server/config.js'

describe('configuration', () => {
  it('runs the embedded default with no environment at all', () => {
    const result = parseConfig({})
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config).toMatchObject({
      port: 1234,
      dataDir: './data',
      store: { kind: 'sqlite', file: './data/folio.sqlite' },
      auth: { kind: 'dev-secret' },
      redis: undefined,
      seedDemo: true,
      limits: { maxMessageBytes: 16 * 1024 * 1024 },
    })
    expect(Object.isFrozen(result.config)).toBe(true)
  })

  it('reads production settings', () => {
    const result = parseConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://folio@db:5432/folio',
      REDIS_URL: 'redis://cache:6379',
      AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      ALLOWED_ORIGINS: 'https://cms.example.com, https://admin.example.com',
      MAX_MESSAGE_BYTES: '1048576',
      COMMIT_DELAY_MS: '10',
      PUBLIC_URL: 'https://folio.example.com/',
    })
    expect(result.ok && result.config).toMatchObject({
      port: 8080,
      store: { kind: 'postgres', url: 'postgres://folio@db:5432/folio' },
      redis: { url: 'redis://cache:6379', prefix: 'folio:', presenceTtlMs: 30_000 },
      auth: { kind: 'jwks' },
      allowedOrigins: ['https://cms.example.com', 'https://admin.example.com'],
      limits: { maxMessageBytes: 1048576 },
      durability: { commitDelayMs: 10 },
      publicUrl: 'https://folio.example.com',
      seedDemo: false,
    })
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x/y', AUTH_SECRET: 'x'.repeat(32) }, 'DATABASE_URL must be a postgres:// URL'],
    [{ DATABASE_URL: 'postgres://x/y' }, 'set AUTH_SECRET or AUTH_JWKS_URL'],
    [{ AUTH_SECRET: 'short' }, 'AUTH_SECRET must be at least 32 characters'],
    [{ AUTH_SECRET: 'x'.repeat(32), AUTH_JWKS_URL: 'https://a/jwks' }, 'not both'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL must be a redis:// URL'],
    [{ ALLOWED_ORIGINS: 'https://ok.example, not a url' }, 'ALLOWED_ORIGINS'],
    [{ MAX_MESSAGE_BYTES: '10' }, 'MAX_MESSAGE_BYTES'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_SCHEMA: 'Robert"; drop' }, 'DATABASE_SCHEMA'],
  ])('refuses %o with a clear message', (env, message) => {
    const result = parseConfig(env)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.join('\n')).toContain(message)
  })

  it('treats empty variables as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: '' }).ok).toBe(true)
  })
})
