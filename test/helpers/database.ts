/** A database per test: a temporary SQLite file, or a fresh PostgreSQL schema. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject, onTestFinished } from 'vitest'
import { POSTGRES_URL, type StoreKind } from './env.js'

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
  // Dropped with the rest of this run's schemas when the run ends (see test/global-setup.ts).
  const schema = `${inject('schemaPrefix')}${Math.random().toString(36).slice(2, 10)}`
  return { DATA_DIR: dataDir, DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }
}
