/**
 * What the rest of the server needs from "the cluster": named locks with a TTL and a random
 * token. The in-process adapter serves one node; the Redis adapter serves many.
 */

export interface LockLease {
  readonly name: string
  readonly token: string
  /** Whether this lease still holds the lock; call it right before committing work done under it. */
  isHeld(): Promise<boolean>
  /** Extends the TTL; false if the lock was lost meanwhile. */
  renew(ttlMs: number): Promise<boolean>
  /** Releases the lock if, and only if, this lease still holds it. */
  release(): Promise<boolean>
}

export interface Locks {
  /** Takes the lock, or answers null at once when someone else holds it. */
  tryAcquire(name: string, ttlMs: number): Promise<LockLease | null>
  destroy(): Promise<void>
}

/**
 * Runs `work` while renewing the lease every third of its TTL, so a long task keeps its lock; the
 * task still checks `lease.isHeld()` before it commits, in case a renewal came too late.
 */
export async function whileRenewing<T>(lease: LockLease, ttlMs: number, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => void lease.renew(ttlMs).catch(() => false), Math.max(50, Math.floor(ttlMs / 3)))
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}
