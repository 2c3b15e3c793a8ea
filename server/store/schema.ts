/** Table types of the SQL store, as Kysely sees them. Booleans are 0/1 integers on both engines. */
import type { Generated } from 'kysely'

export interface LibraryTable {
  id: string
  name: string
  description: string
  staging_enabled: number
  workflow_enabled: number
  /** The generation of live rows sites read; a publication writes the next one and switches to it. */
  live_generation: Generated<number>
  created_by: string
  created_at: string
  updated_at: string
}

export interface MemberTable {
  library_id: string
  user_id: string
  role: string
  created_at: string
  updated_at: string
}

export interface SiteTable {
  id: string
  name: string
  staging_enabled: number
  delivery_key_hash: string
  created_at: string
}

export interface LibrarySiteTable {
  library_id: string
  site_id: string
  created_at: string
}

export interface AssetTable {
  id: string
  library_id: string
  type: string
  /** A copy of the document's `fields.title`, kept for listing without loading documents. */
  title: string
  status: string
  created_by: string
  created_at: string
  updated_at: string
}

export interface CustomRoleTable {
  id: string
  library_id: string
  name: string
  /** JSON array of permission names. */
  permissions: string
  created_at: string
  updated_at: string
}

/** The append-only update log of every collaborative document; compaction merges a prefix of it. */
export interface DocUpdateTable {
  id: Generated<number>
  doc: string
  data: Uint8Array
  created_at: string
}

export interface TagTable {
  library_id: string
  name: string
  created_at: string
}

export interface AssetTagTable {
  asset_id: string
  library_id: string
  tag: string
}

export interface VocabularyTable {
  id: string
  library_id: string
  name: string
  created_at: string
}

export interface CategoryTable {
  id: string
  vocabulary_id: string
  library_id: string
  parent_id: string | null
  name: string
  created_at: string
}

export interface AssetCategoryTable {
  asset_id: string
  category_id: string
}

export interface FileVersionTable {
  asset_id: string
  version: number
  blob_hash: string
  size: number
  content_type: string
  filename: string
  created_by: string
  created_at: string
}

export interface CheckoutTable {
  asset_id: string
  user_id: string
  /** ISO time; a check-out past it is free for anyone to take. */
  expires_at: string
  created_at: string
}

export interface AssetVersionTable {
  asset_id: string
  version: number
  status: string
  /** The document's whole state when it was frozen, as one Yjs update. */
  ydoc: Uint8Array
  fields_json: string
  body_json: string | null
  collection_json: string | null
  file_version: number | null
  created_by: string
  created_at: string
  reviewed_by: string | null
  reviewed_at: string | null
  review_comment: string | null
}

/** Immutable rows of the live store: one per asset per generation that changed it. */
export interface LiveVersionTable {
  library_id: string
  asset_id: string
  generation: number
  live_version: number
  /** 1: the asset was deleted from live in this generation. */
  deleted: number
  source_version: number | null
  type: string
  fields_json: string
  body_json: string | null
  html: string | null
  collection_json: string | null
  file_json: string | null
  /** Approved translations that went live with this version: locale → {fields, body, html}. */
  translations_json: string | null
  published_by: string
  published_at: string
}

export interface PublicationTable {
  id: string
  library_id: string
  mode: string
  status: string
  asset_ids: string
  generation: number | null
  error: string | null
  created_by: string
  created_at: string
  finished_at: string | null
  duration_ms: number | null
  /** When a scheduled publication is to run. */
  scheduled_at: string | null
  /** What was asked for (mode, assets, since), re-validated when a scheduled publication runs. */
  request_json: string | null
}

export interface AssetTranslationTable {
  asset_id: string
  locale: string
  source_locale: string
  /** in_progress, or approved (with the approved content frozen below). */
  status: string
  fields_json: string | null
  body_json: string | null
  approved_by: string | null
  approved_at: string | null
  created_at: string
}

/** Where a library's Remote Live publications go, with the credentials the other instance gave. */
export interface RemoteTargetTable {
  library_id: string
  url: string
  remote_library_id: string
  /** A bearer token of the remote instance; never answered by the API. */
  token: string
  updated_at: string
}

export interface Database {
  libraries: LibraryTable
  members: MemberTable
  sites: SiteTable
  library_sites: LibrarySiteTable
  assets: AssetTable
  custom_roles: CustomRoleTable
  tags: TagTable
  asset_tags: AssetTagTable
  vocabularies: VocabularyTable
  categories: CategoryTable
  asset_categories: AssetCategoryTable
  file_versions: FileVersionTable
  checkouts: CheckoutTable
  asset_versions: AssetVersionTable
  live_versions: LiveVersionTable
  publications: PublicationTable
  asset_translations: AssetTranslationTable
  remote_targets: RemoteTargetTable
  doc_updates: DocUpdateTable
}
