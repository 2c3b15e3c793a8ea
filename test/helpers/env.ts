/** Where the test services are. CI and the dev machines run them on loopback. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256!'

export type StoreKind = 'sqlite' | 'postgres'
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres']

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
}
