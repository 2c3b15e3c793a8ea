/**
 * Configuration: parsed once from an environment-like record into one read-only object.
 * `main.ts` is the only caller that passes `process.env`; tests pass plain objects.
 *
 * @example
 *   const result = parseConfig({ PORT: '0', AUTH_SECRET: 'x'.repeat(32) })
 *   if (!result.ok) throw new Error(result.errors.join('\n'))
 */
import { z } from 'zod'
import type { Failpoint } from './publishing/publisher.js'

const MIB = 1024 * 1024

const intInRange = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const origins = z
  .string()
  .transform((value) => value.split(',').map((s) => s.trim()).filter((s) => s.length > 0))
  .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })])))

const envSchema = z
  .object({
    PORT: intInRange(0, 65535).default(1234),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'DATABASE_URL must be a postgres:// URL' })
      .optional(),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'DATABASE_SCHEMA must be a lowercase SQL identifier')
      .optional(),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// URL' }).optional(),
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('folio:'),
    PRESENCE_TTL_MS: intInRange(1000, 3600_000).default(30_000),
    AUTH_SECRET: z.string().min(32, 'AUTH_SECRET must be at least 32 characters').optional(),
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    ALLOWED_ORIGINS: origins.optional(),
    MAX_MESSAGE_BYTES: intInRange(1024, 256 * MIB).default(16 * MIB),
    MAX_CONNECTIONS_PER_USER: intInRange(1, 100_000).default(64),
    MAX_UPLOAD_BYTES: intInRange(1, 64 * 1024 * MIB).default(100 * MIB),
    CHECKOUT_TTL_S: intInRange(10, 30 * 24 * 3600).default(4 * 3600),
    COMMIT_DELAY_MS: intInRange(0, 1000).default(4),
    COMPACT_AFTER_UPDATES: intInRange(2, 1_000_000).default(500),
    UNLOAD_AFTER_MS: intInRange(0, 24 * 3600 * 1000).default(30_000),
    SEED_DEMO: z.enum(['true', 'false']).optional(),
    FAILPOINTS: z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))
      .pipe(z.array(z.enum(['publish-before-switch'])))
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => !(env.AUTH_SECRET && env.AUTH_JWKS_URL), {
    message: 'set AUTH_SECRET or AUTH_JWKS_URL, not both',
    path: ['AUTH_SECRET'],
  })
  .refine((env) => !env.DATABASE_URL || env.AUTH_SECRET || env.AUTH_JWKS_URL, {
    message: 'with DATABASE_URL (production) set AUTH_SECRET or AUTH_JWKS_URL; a generated dev secret is only for the embedded default',
    path: ['AUTH_SECRET'],
  })

export type Auth = { kind: 'secret'; secret: string } | { kind: 'jwks'; url: string } | { kind: 'dev-secret' }
export type StoreConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; schema: string | undefined }

export interface Config {
  readonly port: number
  readonly host: string
  readonly publicUrl: string | undefined
  readonly dataDir: string
  readonly store: StoreConfig
  readonly redis: { readonly url: string; readonly prefix: string; readonly presenceTtlMs: number } | undefined
  /** `dev-secret`: main.ts generates one under DATA_DIR, for the embedded default only. */
  readonly auth: Auth
  /** undefined: same-origin browsers and non-browser clients only; ['*']: any origin. */
  readonly allowedOrigins: readonly string[] | undefined
  readonly limits: {
    readonly maxMessageBytes: number
    readonly maxConnectionsPerUser: number
    readonly maxUploadBytes: number
  }
  /** How long a check-out lasts unless renewed or checked in. */
  readonly checkoutTtlMs: number
  readonly durability: {
    readonly commitDelayMs: number
    readonly compactAfterUpdates: number
    readonly unloadAfterMs: number
  }
  readonly seedDemo: boolean
  /** Test-only: named places where the server fails on purpose (see publishing/publisher.ts). */
  readonly failpoints: ReadonlySet<Failpoint>
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL']
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] }

export function parseConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(present)
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    }
  }
  const e = parsed.data
  const store: StoreConfig = e.DATABASE_URL
    ? { kind: 'postgres', url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA }
    : { kind: 'sqlite', file: `${e.DATA_DIR}/folio.sqlite` }
  const auth: Auth = e.AUTH_SECRET
    ? { kind: 'secret', secret: e.AUTH_SECRET }
    : e.AUTH_JWKS_URL
      ? { kind: 'jwks', url: e.AUTH_JWKS_URL }
      : { kind: 'dev-secret' }
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    dataDir: e.DATA_DIR,
    store,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX, presenceTtlMs: e.PRESENCE_TTL_MS } : undefined,
    auth,
    allowedOrigins: e.ALLOWED_ORIGINS,
    limits: {
      maxMessageBytes: e.MAX_MESSAGE_BYTES,
      maxConnectionsPerUser: e.MAX_CONNECTIONS_PER_USER,
      maxUploadBytes: e.MAX_UPLOAD_BYTES,
    },
    checkoutTtlMs: e.CHECKOUT_TTL_S * 1000,
    durability: {
      commitDelayMs: e.COMMIT_DELAY_MS,
      compactAfterUpdates: e.COMPACT_AFTER_UPDATES,
      unloadAfterMs: e.UNLOAD_AFTER_MS,
    },
    seedDemo: e.SEED_DEMO ? e.SEED_DEMO === 'true' : store.kind === 'sqlite',
    failpoints: new Set(e.FAILPOINTS ?? []),
    logLevel: e.LOG_LEVEL,
  }
  return { ok: true, config: Object.freeze(config) }
}
