/**
 * Group commit: updates from every document are collected for a few milliseconds and written in
 * one transaction, so that a burst of keystrokes costs one commit, not one per key. Batches are
 * written one after another, so each document's updates become durable in the order they were
 * emitted.
 */

export interface UpdateSink {
  append(entries: readonly { doc: string; update: Uint8Array }[]): Promise<void>
}

export interface GroupCommitOptions {
  /** How long the first update of a batch waits for company. */
  delayMs: number
  /** The most entries one transaction carries. */
  maxBatch?: number
}

interface Pending {
  doc: string
  update: Uint8Array
  resolve: () => void
  reject: (error: unknown) => void
}

const DEFAULT_MAX_BATCH = 512

export class GroupCommitter {
  readonly #sink: UpdateSink
  readonly #delayMs: number
  readonly #maxBatch: number
  #queue: Pending[] = []
  #timer: ReturnType<typeof setTimeout> | null = null
  #inflight: Promise<void> | null = null

  constructor(sink: UpdateSink, options: GroupCommitOptions) {
    this.#sink = sink
    this.#delayMs = options.delayMs
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH
  }

  /** Resolves once the update is committed; rejects if its transaction failed. */
  enqueue(doc: string, update: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ doc, update, resolve, reject })
      this.#schedule()
    })
  }

  /** Writes everything queued now, and waits for it. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#inflight) {
      if (this.#timer) {
        clearTimeout(this.#timer)
        this.#timer = null
      }
      if (this.#inflight) await this.#inflight
      else this.#inflight = this.#writeBatch()
    }
  }

  #schedule(): void {
    if (this.#timer || this.#inflight) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#inflight = this.#writeBatch()
    }, this.#delayMs)
  }

  async #writeBatch(): Promise<void> {
    const batch = this.#queue.splice(0, this.#maxBatch)
    try {
      await this.#sink.append(batch)
      for (const p of batch) p.resolve()
    } catch (error) {
      for (const p of batch) p.reject(error)
    } finally {
      this.#inflight = null
      if (this.#queue.length > 0) this.#schedule()
    }
  }
}
