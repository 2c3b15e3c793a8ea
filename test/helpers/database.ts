/** A database per test: a temporary SQLite file, or a fresh PostgreSQL schema dropped afterwards. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { onTestFinished } from 'vitest'
import { POSTGRES_URL, uniqueName, type StoreKind } from './env.js'

export interface TestDatabaseEnv {
  DATA_DIR: string
  DATABASE_URL?: string
  DATABASE_SCHEMA?: string
}

/** Environment for a server (in-process or spawned) that uses a fresh, private store. */
export function testDatabaseEnv(kind: StoreKind): TestDatabaseEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'folio-test-'))
  onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }))
  if (kind === 'sqlite') return { DATA_DIR: dataDir }
  const schema = uniqueName('t').toLowerCase()
  onTestFinished(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    try {
      await client.query(`drop schema if exists "${schema}" cascade`)
    } finally {
      await client.end()
    }
  })
  return { DATA_DIR: dataDir, DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }
}
