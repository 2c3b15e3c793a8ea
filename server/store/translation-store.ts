/** Translation processes of assets: which locales, and the approved content of each. */
import type { Selectable } from 'kysely'
import type { ProseMirrorJSON } from '../../shared/schema.js'
import type { OpenDatabase } from './db.js'
import { nowIso } from './rows.js'
import type { AssetTranslationTable } from './schema.js'

export interface Translation {
  assetId: string
  locale: string
  sourceLocale: string
  status: 'in_progress' | 'approved'
  approved: { fields: Record<string, unknown>; body: ProseMirrorJSON | null } | null
  approvedBy: string | null
  approvedAt: string | null
  createdAt: string
}

export interface TranslationStore {
  /** Starts translating into these locales; answers those that were new. */
  start(assetId: string, sourceLocale: string, locales: readonly string[]): Promise<string[]>
  list(assetId: string): Promise<Translation[]>
  get(assetId: string, locale: string): Promise<Translation | null>
  /** Freezes the approved content of a locale; editing goes on as the next draft. */
  approve(assetId: string, locale: string, content: { fields: Record<string, unknown>; body: ProseMirrorJSON | null }, by: string): Promise<Translation | null>
}

export function createTranslationStore({ db }: OpenDatabase): TranslationStore {
  const store: TranslationStore = {
    async start(assetId, sourceLocale, locales) {
      const existing = new Set((await store.list(assetId)).map((t) => t.locale))
      const fresh = locales.filter((l) => !existing.has(l))
      const at = nowIso()
      for (const locale of fresh) {
        await db
          .insertInto('asset_translations')
          .values({
            asset_id: assetId,
            locale,
            source_locale: sourceLocale,
            status: 'in_progress',
            fields_json: null,
            body_json: null,
            approved_by: null,
            approved_at: null,
            created_at: at,
          })
          .onConflict((oc) => oc.columns(['asset_id', 'locale']).doNothing())
          .execute()
      }
      return fresh
    },

    async list(assetId) {
      return (await db.selectFrom('asset_translations').selectAll().where('asset_id', '=', assetId).orderBy('locale').execute()).map(toTranslation)
    },

    async get(assetId, locale) {
      const row = await db.selectFrom('asset_translations').selectAll().where('asset_id', '=', assetId).where('locale', '=', locale).executeTakeFirst()
      return row ? toTranslation(row) : null
    },

    async approve(assetId, locale, content, by) {
      await db
        .updateTable('asset_translations')
        .set({
          status: 'approved',
          fields_json: JSON.stringify(content.fields),
          body_json: content.body === null ? null : JSON.stringify(content.body),
          approved_by: by,
          approved_at: nowIso(),
        })
        .where('asset_id', '=', assetId)
        .where('locale', '=', locale)
        .execute()
      return store.get(assetId, locale)
    },
  }
  return store
}

function toTranslation(row: Selectable<AssetTranslationTable>): Translation {
  return {
    assetId: row.asset_id,
    locale: row.locale,
    sourceLocale: row.source_locale,
    status: row.status as Translation['status'],
    approved:
      row.fields_json === null
        ? null
        : { fields: JSON.parse(row.fields_json) as Record<string, unknown>, body: row.body_json === null ? null : (JSON.parse(row.body_json) as ProseMirrorJSON) },
    approvedBy: row.approved_by,
    approvedAt: row.approved_at,
    createdAt: row.created_at,
  }
}
