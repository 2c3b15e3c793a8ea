/**
 * Files on disk, content-addressed: a file is stored once under the SHA-256 of its bytes, at
 * `<dir>/<aa>/<bb>/<hash>`. Uploads stream to a temporary file while they are hashed and counted,
 * so a large upload never sits in memory, and one over the limit stops as soon as it passes it.
 *
 * @example
 *   const blobs = createBlobStore({ dir: './data/blobs' })
 *   const result = await blobs.put(Readable.fromWeb(request.body), { maxBytes: 100 * 2 ** 20 })
 *   if (result.ok) blobs.open(result.hash).pipe(response)
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** How many leading bytes are kept for type detection (file-type reads at most this many). */
export const SNIFF_BYTES = 4100

export type PutResult =
  | { ok: true; hash: string; size: number; head: Buffer }
  | { ok: false; reason: 'too_large' | 'empty' }

export interface BlobStore {
  put(source: Readable, options: { maxBytes: number }): Promise<PutResult>
  open(hash: string): Readable
  exists(hash: string): Promise<boolean>
}

const HASH_PATTERN = /^[0-9a-f]{64}$/

class TooLargeError extends Error {}

export function createBlobStore({ dir }: { dir: string }): BlobStore {
  const pathOf = (hash: string) => {
    if (!HASH_PATTERN.test(hash)) throw new Error(`not a blob hash: ${hash}`)
    return join(dir, hash.slice(0, 2), hash.slice(2, 4), hash)
  }

  return {
    async put(source, { maxBytes }) {
      const tmpDir = join(dir, 'tmp')
      await mkdir(tmpDir, { recursive: true })
      const tmp = join(tmpDir, randomBytes(12).toString('hex'))
      const hash = createHash('sha256')
      const headChunks: Buffer[] = []
      let headSize = 0
      let size = 0
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length
          if (size > maxBytes) {
            callback(new TooLargeError())
            return
          }
          hash.update(chunk)
          if (headSize < SNIFF_BYTES) {
            headChunks.push(chunk.subarray(0, SNIFF_BYTES - headSize))
            headSize += Math.min(chunk.length, SNIFF_BYTES - headSize)
          }
          callback(null, chunk)
        },
      })
      try {
        await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx' }))
      } catch (error) {
        await rm(tmp, { force: true })
        if (error instanceof TooLargeError) return { ok: false, reason: 'too_large' }
        throw error
      }
      if (size === 0) {
        await rm(tmp, { force: true })
        return { ok: false, reason: 'empty' }
      }
      const digest = hash.digest('hex')
      const target = pathOf(digest)
      await mkdir(join(target, '..'), { recursive: true })
      // Same bytes, same name: renaming over an existing copy changes nothing.
      await rename(tmp, target)
      return { ok: true, hash: digest, size, head: Buffer.concat(headChunks) }
    },

    open(hash) {
      return createReadStream(pathOf(hash))
    },

    async exists(hash) {
      try {
        await stat(pathOf(hash))
        return true
      } catch {
        // ENOENT or a path that cannot be read: either way the blob is not there to serve.
        return false
      }
    },
  }
}
