/**
 * One Kysely instance over SQLite (better-sqlite3, WAL) or PostgreSQL (pg), with migrations run
 * before it is handed out.
 *
 * @example
 *   const db = await openDatabase({ kind: 'sqlite', file: './data/folio.sqlite' })
 *   await db.destroy()
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely'
import pg from 'pg'
import type { StoreConfig } from '../config.js'
import { migrationsFor } from './migrations.js'
import type { Database } from './schema.js'

export type Dialect = 'sqlite' | 'postgres'

export interface OpenDatabase {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  ping(): Promise<boolean>
  destroy(): Promise<void>
}

const PG_INT8_OID = 20
const SQLITE_BUSY_TIMEOUT_MS = 5000

export async function openDatabase(config: StoreConfig): Promise<OpenDatabase> {
  const { db, dialect } = config.kind === 'sqlite' ? openSqlite(config.file) : await openPostgres(config.url, config.schema)
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrationsFor(dialect) },
    // Kysely looks its own tables up across all schemas unless told which one is ours: without
    // this, another schema's migration tables on the same database would be taken for ours.
    ...(config.kind === 'postgres' && config.schema ? { migrationTableSchema: config.schema } : {}),
  })
  const { error } = await migrator.migrateToLatest()
  if (error) {
    await db.destroy()
    throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`)
  }
  let destroyed: Promise<void> | undefined
  return {
    db,
    dialect,
    async ping() {
      try {
        await sql`select 1`.execute(db)
        return true
      } catch {
        // A store that does not answer is exactly what /healthz reports; the cause is logged there.
        return false
      }
    },
    destroy: () => (destroyed ??= db.destroy()),
  }
}

function openSqlite(file: string): { db: Kysely<Database>; dialect: Dialect } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const database = new SQLite(file)
  database.pragma('journal_mode = WAL')
  // NORMAL is durable in WAL mode against process crashes (SIGKILL); only an OS crash may lose
  // the last transactions, which FULL would prevent at the cost of an fsync per commit.
  database.pragma('synchronous = NORMAL')
  database.pragma('foreign_keys = ON')
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`)
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), dialect: 'sqlite' }
}

async function openPostgres(url: string, schema: string | undefined): Promise<{ db: Kysely<Database>; dialect: Dialect }> {
  if (schema) {
    // The schema must exist before connections that put it on their search_path can use it.
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(`create schema if not exists "${schema}"`)
    } finally {
      await client.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' }
}
