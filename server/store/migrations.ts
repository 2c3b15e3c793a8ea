/**
 * Migrations, in code so that they ship with the server and run at start. Each takes the dialect
 * because the two engines spell auto-increment and binary columns differently; everything else is
 * one definition.
 */
import { sql, type Kysely, type Migration } from 'kysely'
import type { Dialect } from './db.js'

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  const binary = dialect === 'postgres' ? 'bytea' : 'blob'
  return {
    '0001_core': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('libraries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('staging_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('workflow_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('members')
          .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('members_pk', ['library_id', 'user_id'])
          .execute()
        await db.schema.createIndex('members_user_idx').on('members').column('user_id').execute()
        await db.schema
          .createTable('sites')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('staging_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('delivery_key_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('library_sites')
          .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
          .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('library_sites_pk', ['library_id', 'site_id'])
          .execute()
        await db.schema
          .createTable('assets')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('assets_library_idx').on('assets').column('library_id').execute()
        await db.schema
          .createTable('doc_updates')
          .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
          )
          .addColumn('doc', 'text', (c) => c.notNull())
          .addColumn('data', sql.raw(binary), (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('doc_updates_doc_idx').on('doc_updates').columns(['doc', 'id']).execute()
      },
    },
    '0002_roles_sites_titles': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('custom_roles')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('permissions', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('custom_roles_library_idx').on('custom_roles').column('library_id').execute()
        await db.schema.alterTable('assets').addColumn('title', 'text', (c) => c.notNull().defaultTo('')).execute()
        await db.schema.createIndex('assets_library_created_idx').on('assets').columns(['library_id', 'created_at', 'id']).execute()
      },
    },
    '0003_tags_categories': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('tags')
          .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('tags_pk', ['library_id', 'name'])
          .execute()
        await db.schema
          .createTable('asset_tags')
          .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
          .addColumn('library_id', 'text', (c) => c.notNull())
          .addColumn('tag', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('asset_tags_pk', ['asset_id', 'tag'])
          .execute()
        await db.schema.createIndex('asset_tags_tag_idx').on('asset_tags').columns(['library_id', 'tag']).execute()
        await db.schema
          .createTable('vocabularies')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('categories')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('vocabulary_id', 'text', (c) => c.notNull().references('vocabularies.id').onDelete('cascade'))
          .addColumn('library_id', 'text', (c) => c.notNull())
          .addColumn('parent_id', 'text')
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('categories_vocabulary_idx').on('categories').column('vocabulary_id').execute()
        await db.schema
          .createTable('asset_categories')
          .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
          .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('asset_categories_pk', ['asset_id', 'category_id'])
          .execute()
        await db.schema.createIndex('asset_categories_category_idx').on('asset_categories').column('category_id').execute()
      },
    },
    '0004_files_checkouts': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('file_versions')
          .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('blob_hash', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('filename', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('file_versions_pk', ['asset_id', 'version'])
          .execute()
        await db.schema
          .createTable('checkouts')
          .addColumn('asset_id', 'text', (c) => c.primaryKey().references('assets.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute()
      },
    },
    '0005_versions_live': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('asset_versions')
          .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('ydoc', sql.raw(binary), (c) => c.notNull())
          .addColumn('fields_json', 'text', (c) => c.notNull())
          .addColumn('body_json', 'text')
          .addColumn('collection_json', 'text')
          .addColumn('file_version', 'integer')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('reviewed_by', 'text')
          .addColumn('reviewed_at', 'text')
          .addColumn('review_comment', 'text')
          .addPrimaryKeyConstraint('asset_versions_pk', ['asset_id', 'version'])
          .execute()
        await db.schema.alterTable('libraries').addColumn('live_generation', 'integer', (c) => c.notNull().defaultTo(0)).execute()
        await db.schema
          .createTable('live_versions')
          .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
          .addColumn('asset_id', 'text', (c) => c.notNull())
          .addColumn('generation', 'integer', (c) => c.notNull())
          .addColumn('live_version', 'integer', (c) => c.notNull())
          .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('source_version', 'integer')
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('fields_json', 'text', (c) => c.notNull())
          .addColumn('body_json', 'text')
          .addColumn('html', 'text')
          .addColumn('collection_json', 'text')
          .addColumn('file_json', 'text')
          .addColumn('published_by', 'text', (c) => c.notNull())
          .addColumn('published_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('live_versions_pk', ['asset_id', 'generation'])
          .execute()
        await db.schema.createIndex('live_versions_library_idx').on('live_versions').columns(['library_id', 'generation']).execute()
        await db.schema
          .createTable('publications')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('asset_ids', 'text', (c) => c.notNull())
          .addColumn('generation', 'integer')
          .addColumn('error', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .addColumn('duration_ms', 'integer')
          .execute()
        await db.schema.createIndex('publications_library_idx').on('publications').columns(['library_id', 'created_at']).execute()
      },
    },
    '0006_scheduled_publications': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('publications').addColumn('scheduled_at', 'text').execute()
        await db.schema.alterTable('publications').addColumn('request_json', 'text').execute()
      },
    },
    '0007_translations': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('asset_translations')
          .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
          .addColumn('locale', 'text', (c) => c.notNull())
          .addColumn('source_locale', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('fields_json', 'text')
          .addColumn('body_json', 'text')
          .addColumn('approved_by', 'text')
          .addColumn('approved_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('asset_translations_pk', ['asset_id', 'locale'])
          .execute()
        await db.schema.alterTable('live_versions').addColumn('translations_json', 'text').execute()
      },
    },
    '0008_remote_targets': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('remote_targets')
          .addColumn('library_id', 'text', (c) => c.primaryKey().references('libraries.id').onDelete('cascade'))
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('remote_library_id', 'text', (c) => c.notNull())
          .addColumn('token', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
      },
    },
  }
}
