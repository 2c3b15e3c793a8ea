import { describe, expect, it } from 'vitest'
import { bodyText, paragraphText } from '../../helpers/body.js'
import { STORE_KINDS } from '../../helpers/env.js'
import { createFixture, startServer } from '../../helpers/server.js'
import { waitFor } from '../../helpers/wait.js'

const SOURCE_BODY = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'Opening hours' }] },
    { type: 'paragraph', content: [{ type: 'text', text: 'We are open on Sundays & holidays.' }] },
  ],
}

describe.each(STORE_KINDS)('translations on %s', (store) => {
  it('translates through a seeded document and XLIFF, and delivers the approved locale', async () => {
    const server = await startServer({ store })
    const { owner, libraryId, assetId } = await createFixture(server, SOURCE_BODY)
    const call = server.call
    const base = `/libraries/${libraryId}/assets/${assetId}`
    const role = (await call('POST', `/libraries/${libraryId}/roles`, owner, { name: 'Translator', permissions: ['TRANSLATE'] })).body
    await call('PUT', `/libraries/${libraryId}/members/tina`, owner, { role: role.id })
    const tina = await server.token('tina', { name: 'Tina Translator' })

    expect((await call('POST', `${base}/translations`, tina, { locales: ['fr'] })).status).toBe(403)
    expect((await call('POST', `${base}/translations`, owner, { locales: ['not a locale'] })).status).toBe(400)
    const started = await call('POST', `${base}/translations`, owner, { locales: ['fr', 'de'], sourceLocale: 'en' })
    expect(started.body.items.map((t: { locale: string; status: string }) => [t.locale, t.status])).toEqual([
      ['de', 'in_progress'],
      ['fr', 'in_progress'],
    ])

    // The translator edits the French document, seeded from the source, and may not touch the source.
    const french = server.connect(`${assetId}/translations/fr`, tina)
    const source = server.connect(assetId, tina)
    await Promise.all([french.whenSynced(), source.whenSynced()])
    expect(bodyText(french.doc)).toBe('Opening hours\nWe are open on Sundays & holidays.')
    paragraphText(source.doc, 0).insert(0, 'NOPE')
    await waitFor(() => source.deniedReason?.startsWith('read-only'), { what: 'the source to be read-only' })

    const exported = await fetch(`${server.url}/api/v1${base}/translations/fr/xliff`, { headers: { authorization: `Bearer ${tina}` } })
    expect(exported.headers.get('content-type')).toContain('application/x-xliff+xml')
    const xliff = await exported.text()
    expect(xliff).toContain('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">')
    expect(xliff).toContain('source-language="en" target-language="fr"')
    expect(xliff).toContain('<source>We are open on Sundays &amp; holidays.</source>')

    const translated = xliff
      .replace('<target>Opening hours</target>', '<target>Horaires d’ouverture</target>')
      .replace('<target>We are open on Sundays &amp; holidays.</target>', '<target>Ouvert le dimanche &amp; les jours fériés.</target>')
      .replace('<target>Fixture asset</target>', '<target>Actif de test</target>')
    const post = (body: string, token = tina, locale = 'fr') =>
      fetch(`${server.url}/api/v1${base}/translations/${locale}/xliff`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-xliff+xml' },
        body,
      })
    const imported = await post(translated)
    expect(imported.status).toBe(200)
    await waitFor(() => bodyText(french.doc) === 'Horaires d’ouverture\nOuvert le dimanche & les jours fériés.', {
      what: 'the translator to see the import live',
    })
    expect(french.doc.getMap('fields').get('title')).toBe('Actif de test')

    // Round trip: what comes out again is what went in.
    const again = await (await fetch(`${server.url}/api/v1${base}/translations/fr/xliff`, { headers: { authorization: `Bearer ${tina}` } })).text()
    expect(again).toBe(translated)

    expect((await post('<xliff version="1.2"><file')).status).toBe(400)
    expect((await post(translated, tina, 'de')).status).toBe(422)
    expect((await post(translated.replace('id="block:1"', 'id="block:99"'))).status).toBe(422)
    expect((await post(translated, owner, 'it')).status).toBe(404)

    // Approved translations go live with the asset; delivery serves a locale on request.
    expect((await call('POST', `${base}/translations/fr/approve`, tina)).status).toBe(403)
    expect((await call('POST', `${base}/translations/fr/approve`, owner)).body).toMatchObject({ status: 'approved', approvedBy: 'owner' })
    const site = (await call('POST', '/sites', owner, { name: 'Web' })).body
    await call('PUT', `/libraries/${libraryId}/sites/${site.id}`, owner)
    await call('POST', `${base}/versions`, owner)
    expect((await call('POST', `${base}/publish`, owner)).status).toBe(201)
    const deliver = async (query: string) =>
      (await fetch(`${server.url}/api/v1/delivery/sites/${site.id}/assets/${assetId}${query}`, { headers: { authorization: `Bearer ${site.deliveryKey}` } })).json()
    const fr = await deliver('?locale=fr')
    expect(fr).toMatchObject({ locale: 'fr', fields: { title: 'Actif de test' } })
    expect(fr.html).toBe('<h1>Horaires d’ouverture</h1><p>Ouvert le dimanche &#38; les jours fériés.</p>')
    const de = await deliver('?locale=de')
    expect(de).toMatchObject({ locale: null, fields: { title: 'Fixture asset' } })
    expect(de.html).toContain('Opening hours')
  })
})
