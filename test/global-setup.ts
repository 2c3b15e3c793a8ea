/**
 * PostgreSQL schemas of one test run are dropped together when the run ends, not one by one as
 * tests finish: a DROP SCHEMA that runs while another test's Kysely migrator introspects the
 * catalog can make that introspection fail with "schema … does not exist".
 */
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { POSTGRES_URL } from './helpers/env.js'

declare module 'vitest' {
  export interface ProvidedContext {
    schemaPrefix: string
  }
}

export default function setup(project: TestProject) {
  const prefix = `t_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}_`
  project.provide('schemaPrefix', prefix)
  return async function dropSchemas() {
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    try {
      await client.connect()
      const { rows } = await client.query<{ nspname: string }>('select nspname from pg_namespace where starts_with(nspname, $1)', [prefix])
      for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`)
    } catch (error) {
      // A run without PostgreSQL has its own failures to report; leftovers are harmless.
      process.stderr.write(`could not drop this run's test schemas: ${String(error)}\n`)
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}
