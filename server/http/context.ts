/** Per-request values and the dependencies routes are built with. */
import type { Registry } from 'prom-client'
import type { User } from '../auth/tokens.js'
import type { CollabHub } from '../collab/hub.js'
import type { Logger } from '../logger.js'
import type { AssetStore } from '../store/asset-store.js'
import type { LibraryStore } from '../store/library-store.js'
import type { SiteStore } from '../store/site-store.js'
import type { TaxonomyStore } from '../store/taxonomy-store.js'
import type { FileStore } from '../store/file-store.js'
import type { BlobStore } from '../blobs/blob-store.js'
import type { EventBus } from '../cluster/events.js'
import type { PublicationEvent, Publisher } from '../publishing/publisher.js'
import type { LiveStore } from '../store/live-store.js'
import type { VersionStore } from '../store/version-store.js'
import type { TranslationStore } from '../store/translation-store.js'

export type AppEnv = {
  Variables: {
    user: User
  }
}

/** A member's role changed in a library: every node re-checks their open connections. */
export interface AccessEvent {
  libraryId: string
  userId: string
}

export interface HealthReport {
  store: boolean
  redis?: boolean
}

export interface AppDeps {
  libraries: LibraryStore
  sites: SiteStore
  assets: AssetStore
  taxonomy: TaxonomyStore
  files: FileStore
  blobs: BlobStore
  versions: VersionStore
  live: LiveStore
  translations: TranslationStore
  publisher: Publisher
  events: EventBus<PublicationEvent>
  hub: CollabHub
  verifyToken: (token: string | null | undefined) => Promise<
    { ok: true; user: User } | { ok: false; reason: 'missing' | 'expired' | 'invalid'; message: string }
  >
  health(): Promise<HealthReport>
  /** Role changes for every node; the app subscribes and re-checks its own connections. */
  accessEvents?: EventBus<AccessEvent>
  /** Prometheus registry answered at /metrics. */
  metrics?: Registry
  logger: Logger
  /** Largest JSON body a REST call may send. */
  maxJsonBytes: number
  maxUploadBytes: number
  checkoutTtlMs: number
  /** The public base URL (PUBLIC_URL), for absolute links in delivered HTML; relative when unset. */
  publicUrl?: string | undefined
  /** The built browser app, served at `/`; undefined serves none. */
  clientDir?: string | undefined
}
