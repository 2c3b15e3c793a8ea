/**
 * A browsable page of the OpenAPI document at `/api/v1/docs`, rendered on the server from the
 * same document as `/api/v1/openapi.json`: no script, no CDN, works offline.
 */

interface Operation {
  summary?: string
  parameters?: { name: string; in: string; required?: boolean }[]
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  responses?: Record<string, { description?: string }>
}

interface OpenApiDocument {
  info: { title: string; version: string; description?: string }
  paths?: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, unknown> }
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete']

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

export function renderApiPage(document: OpenApiDocument): string {
  const sections: string[] = []
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      const params = (op.parameters ?? []).map((p) => `<code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)})`).join(', ')
      const body = op.requestBody?.content?.['application/json']?.schema
      const responses = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><b>${escapeHtml(code)}</b> ${escapeHtml(r.description ?? '')}</li>`)
        .join('')
      sections.push(
        `<section><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>` +
          `<p>${escapeHtml(op.summary ?? '')}</p>` +
          (params ? `<p>Parameters: ${params}</p>` : '') +
          (body ? `<details><summary>Request body</summary><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre></details>` : '') +
          `<ul>${responses}</ul></section>`,
      )
    }
  }
  const schemas = Object.entries(document.components?.schemas ?? {})
    .map(([name, schema]) => `<details><summary>${escapeHtml(name)}</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`)
    .join('')
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
section{border-top:1px solid #ddd;padding:.5rem 0}h3{margin:.3rem 0;font-size:1rem}.m{display:inline-block;min-width:4.2rem;
font:bold 12px monospace;padding:2px 6px;border-radius:3px;color:#fff;background:#555}.get{background:#2a7}.post{background:#27c}
.put,.patch{background:#c80}.delete{background:#c33}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style></head><body>
<h1>${escapeHtml(document.info.title)} <small>v${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description ?? '')} Machine-readable: <a href="openapi.json">openapi.json</a>.
Every route but this page and that document needs <code>Authorization: Bearer &lt;JWT&gt;</code>.</p>
${sections.join('\n')}<h2>Schemas</h2>${schemas}</body></html>`
}
