/**
 * Prometheus metrics (prom-client), one registry per server so that several servers in one
 * process (tests) do not share counters. Gauges read the hub when scraped; nothing is counted on
 * the per-message path but two integers the hub keeps anyway.
 *
 * @example
 *   const metrics = createMetrics(() => hub.stats())
 *   metrics.publicationSeconds.observe({ status: 'succeeded' }, 0.2)
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { CollabStats } from './collab/hub.js'

export interface Metrics {
  readonly registry: Registry
  readonly publicationSeconds: Histogram<'status'>
  readonly lockBusy: Counter<'lock'>
  readonly fanOutSeconds: Histogram
}

export function createMetrics(stats: () => CollabStats): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'folio_process_' })
  new Gauge({
    name: 'folio_documents_open',
    help: 'Collaborative documents loaded on this node',
    registers: [registry],
    collect() {
      this.set(stats().documents)
    },
  })
  new Gauge({
    name: 'folio_connections',
    help: 'Open collaboration connections on this node',
    registers: [registry],
    collect() {
      this.set(stats().connections)
    },
  })
  // Counters that the hub already keeps: exposed as gauges of their running totals.
  new Gauge({
    name: 'folio_messages_in_total',
    help: 'Collaboration messages received since start',
    registers: [registry],
    collect() {
      this.set(stats().messagesIn)
    },
  })
  new Gauge({
    name: 'folio_messages_out_total',
    help: 'Collaboration messages sent since start',
    registers: [registry],
    collect() {
      this.set(stats().messagesOut)
    },
  })
  const publicationSeconds = new Histogram({
    name: 'folio_publication_duration_seconds',
    help: 'How long publications took, by outcome',
    labelNames: ['status'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  })
  const lockBusy = new Counter({
    name: 'folio_lock_busy_total',
    help: 'Times a lock was already held when asked for',
    labelNames: ['lock'],
    registers: [registry],
  })
  const fanOutSeconds = new Histogram({
    name: 'folio_fanout_latency_seconds',
    help: 'From the node that made a change to this one (clocks of the nodes must agree)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  })
  return { registry, publicationSeconds, lockBusy, fanOutSeconds }
}
