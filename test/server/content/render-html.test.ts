import { describe, expect, it } from 'vitest'
import { bodyPlainText, renderHtml, safeUrl } from '../../../server/content/render-html.js'
import { checkBody, cleanBody } from '../../../server/content/web-content.js'

describe('safe HTML from the schema', () => {
  it('renders every kind of node and mark', () => {
    const html = renderHtml({
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Title' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'bold', marks: [{ type: 'strong' }] },
            { type: 'text', text: ' and ' },
            { type: 'text', text: 'a link', marks: [{ type: 'link', attrs: { href: 'https://example.com/a?b=1&c=2', title: 'Ex' } }] },
            { type: 'hard_break' },
            { type: 'text', text: 'x', marks: [{ type: 'em' }, { type: 'code' }] },
          ],
        },
        { type: 'bullet_list', content: [{ type: 'list_item', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one' }] }] }] },
        { type: 'ordered_list', attrs: { order: 3 }, content: [{ type: 'list_item', content: [{ type: 'paragraph' }] }] },
        { type: 'blockquote', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'quote' }] }] },
        { type: 'code_block', content: [{ type: 'text', text: 'if (a < b) {}' }] },
        { type: 'horizontal_rule' },
        { type: 'paragraph', content: [{ type: 'image', attrs: { src: 'https://cdn.example.com/i.png', alt: 'An "image"' } }] },
      ],
    })
    expect(html).toBe(
      '<h2>Title</h2><p><strong>bold</strong> and <a href="https://example.com/a?b=1&#38;c=2" title="Ex" rel="noopener noreferrer">a link</a><br><em><code>x</code></em></p>' +
        '<ul><li><p>one</p></li></ul><ol start="3"><li><p></p></li></ol><blockquote><p>quote</p></blockquote>' +
        '<pre><code>if (a &#60; b) {}</code></pre><hr><p><img src="https://cdn.example.com/i.png" alt="An &#34;image&#34;"></p>',
    )
  })

  it('renders a hostile document harmless: scripts as text, bad schemes and unknown attributes gone', () => {
    const hostile = {
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          attrs: { onclick: 'alert(1)', style: 'x' },
          content: [
            { type: 'text', text: '<script>alert(1)</script><img src=x onerror=alert(2)>' },
            { type: 'text', text: 'click', marks: [{ type: 'link', attrs: { href: 'JaVaScRiPt:alert(3)', onmouseover: 'alert(4)' } }] },
            { type: 'text', text: 'tab', marks: [{ type: 'link', attrs: { href: 'java\tscript:alert(5)' } }] },
            { type: 'text', text: 'data', marks: [{ type: 'link', attrs: { href: 'data:text/html,<script>alert(6)</script>' } }] },
            { type: 'text', text: 'unknown mark', marks: [{ type: 'blink' }] },
          ],
        },
        { type: 'script', content: [{ type: 'text', text: 'alert(7)' }] },
        { type: 'paragraph', content: [{ type: 'image', attrs: { src: 'javascript:alert(8)', alt: 'x' } }] },
      ],
    }
    expect(checkBody(hostile).ok).toBe(false)
    const html = renderHtml(cleanBody(hostile))
    // Every tag in the output is one the renderer writes, with only the attributes it writes.
    const tags = [...html.matchAll(/<\/?([a-z0-9]+)([^>]*)>/g)]
    expect(tags.map((m) => m[1]).every((t) => ['p', 'a', 'strong', 'em', 'code'].includes(t!))).toBe(true)
    expect(tags.map((m) => m[2]).filter((a) => a !== '')).toEqual([])
    expect(html).not.toMatch(/javascript:|data:text/i)
    expect(html).toBe(
      '<p>&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(2)&#62;clicktabdataunknown mark</p><p></p>',
    )
  })

  it.each([
    ['https://a.example/x', 'https://a.example/x'],
    ['/relative/page', '/relative/page'],
    ['#anchor', '#anchor'],
    ['mailto:a@b.example', 'mailto:a@b.example'],
    ['  HTTPS://A.EXAMPLE ', 'https://a.example/'],
    ['//evil.example/x', null],
    ['JAVASCRIPT:alert(1)', null],
    ['vbscript:x', null],
    ['not a url', null],
  ])('allows link %j → %j', (href, expected) => {
    expect(safeUrl(href, new Set(['http:', 'https:', 'mailto:']))).toBe(expected)
  })

  it('gives the plain text of a body, a block per line', () => {
    expect(
      bodyPlainText({
        type: 'doc',
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: 'one' }] },
          { type: 'bullet_list', content: [{ type: 'list_item', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'two' }] }] }] },
        ],
      }),
    ).toBe('one\ntwo')
  })
})

describe('images of the library’s documents', () => {
  const id = 'ast_0123456789abcdefghjk'
  const body = {
    type: 'doc',
    content: [{ type: 'paragraph', content: [{ type: 'image', attrs: { src: `asset:${id}`, alt: 'Logo' } }] }],
  }

  it('renders a marker that delivery points at the reader’s file URL', async () => {
    const { referencedAssets, resolveFileMarkers } = await import('../../../server/content/render-html.js')
    const html = renderHtml(body)
    expect(html).toBe(`<p><img src="folio-file:${id}" alt="Logo"></p>`)
    expect(resolveFileMarkers(html, '/api/v1/delivery/sites/site_x/files')).toBe(`<p><img src="/api/v1/delivery/sites/site_x/files/${id}" alt="Logo"></p>`)
    expect(referencedAssets(body)).toEqual([id])
    // Text cannot forge the marker: its quotes are escaped.
    const forged = renderHtml({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'src="folio-file:x' }] }] })
    expect(resolveFileMarkers(forged, 'https://evil.example')).toBe(forged)
    expect(renderHtml({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'image', attrs: { src: 'asset:../../etc' } }] }] })).toBe('<p></p>')
  })
})
