export type { LockLease, Locks } from './types.js'
export { createMemoryLocks } from './memory-locks.js'
export { createRedisLocks } from './redis-locks.js'
export type { RedisLocksOptions } from './redis-locks.js'
