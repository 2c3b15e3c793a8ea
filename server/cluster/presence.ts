/**
 * Who is in which document, across nodes. Each node writes its own connections into a Redis hash
 * per library, with an expiry it renews on a heartbeat, so the users of a node that died vanish
 * within the TTL. Readers skip (and clear) expired entries.
 */
import type { Redis } from 'ioredis'

export interface PresenceEntry {
  document: string
  userId: string
  name: string
  access: 'read' | 'write'
  since: string
}

export interface PresenceStore {
  set(libraryId: string, key: string, entry: PresenceEntry): Promise<void>
  remove(libraryId: string, key: string): Promise<void>
  list(libraryId: string): Promise<PresenceEntry[]>
  /** Renews the expiry of these entries (this node's, still connected). */
  heartbeat(entries: readonly { libraryId: string; key: string; entry: PresenceEntry }[]): Promise<void>
  /** How often the heartbeat must run to keep entries alive. */
  readonly heartbeatMs: number
}

export const PRESENCE_TTL_MS = 30_000

export function createRedisPresence({
  redis,
  prefix,
  ttlMs = PRESENCE_TTL_MS,
  now = Date.now,
}: {
  redis: Redis
  prefix: string
  ttlMs?: number
  now?: () => number
}): PresenceStore {
  const keyOf = (libraryId: string) => `${prefix}presence:${libraryId}`
  const write = (entry: PresenceEntry) => JSON.stringify({ ...entry, expiresAt: now() + ttlMs })
  return {
    async set(libraryId, key, entry) {
      await redis.hset(keyOf(libraryId), key, write(entry))
    },
    async remove(libraryId, key) {
      await redis.hdel(keyOf(libraryId), key)
    },
    async list(libraryId) {
      const all = await redis.hgetall(keyOf(libraryId))
      const alive: PresenceEntry[] = []
      const expired: string[] = []
      for (const [key, value] of Object.entries(all)) {
        const parsed = JSON.parse(value) as PresenceEntry & { expiresAt: number }
        if (parsed.expiresAt < now()) expired.push(key)
        else {
          const { expiresAt: _expiresAt, ...entry } = parsed
          alive.push(entry)
        }
      }
      if (expired.length > 0) await redis.hdel(keyOf(libraryId), ...expired)
      return alive
    },
    heartbeatMs: Math.max(100, Math.floor(ttlMs / 3)),
    async heartbeat(entries) {
      if (entries.length === 0) return
      const pipeline = redis.pipeline()
      for (const { libraryId, key, entry } of entries) pipeline.hset(keyOf(libraryId), key, write(entry))
      await pipeline.exec()
    },
  }
}
