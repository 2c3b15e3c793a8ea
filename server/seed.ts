/** Demo data for the embedded default: a library, a site, three users and a few assets. */
import { createId } from '../shared/ids.js'
import { createWebContentUpdate, paragraphs } from './content/web-content.js'
import { createDeliveryKey, hashDeliveryKey } from './auth/delivery-keys.js'
import type { AssetStore } from './store/asset-store.js'
import type { LibraryStore } from './store/library-store.js'
import type { SiteStore } from './store/site-store.js'

export interface DemoUser {
  id: string
  name: string
  admin: boolean
  role: 'owner' | 'member' | 'reviewer'
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'olivia', name: 'Olivia Owner', admin: true, role: 'owner' },
  { id: 'max', name: 'Max Member', admin: false, role: 'member' },
  { id: 'rita', name: 'Rita Reviewer', admin: false, role: 'reviewer' },
]

const DEMO_ASSETS = [
  {
    title: 'Welcome to Folio',
    description: 'What this demo library is for',
    body: paragraphs(
      'Folio is a real-time collaborative editor for asset libraries.',
      'Open this asset as two demo users at once and type in both.',
    ),
  },
  {
    title: 'Spring campaign banner copy',
    description: 'Headline and call to action for the spring campaign',
    body: paragraphs('Fresh ideas for a new season.', 'Discover what is new →'),
  },
  {
    title: 'Store opening hours',
    description: 'Shared by every site of the brand',
    body: paragraphs('Monday to Friday: 9:00–19:00', 'Saturday: 10:00–16:00', 'Sunday: closed'),
  },
]

export interface DemoSeed {
  libraryId: string
  siteId: string
  /** Shown once, like every delivery key; only its hash is stored. */
  deliveryKey: string
  assetIds: string[]
}

export async function seedDemo(stores: { libraries: LibraryStore; sites: SiteStore; assets: AssetStore }): Promise<DemoSeed> {
  const { libraries, sites, assets } = stores
  const [owner, ...others] = DEMO_USERS
  if (!owner) throw new Error('demo users are missing their owner')
  const library = await libraries.createLibrary({
    id: createId('lib'),
    name: 'Demo Library',
    description: 'Reusable content shared by the demo site',
    ownerId: owner.id,
  })
  for (const user of others) await libraries.putMember(library.id, user.id, user.role)
  const deliveryKey = createDeliveryKey()
  const site = await sites.createSite({
    id: createId('site'),
    name: 'Demo Site',
    stagingEnabled: false,
    deliveryKeyHash: hashDeliveryKey(deliveryKey),
  })
  await sites.connectSite(library.id, site.id)
  const assetIds: string[] = []
  for (const asset of DEMO_ASSETS) {
    const created = await assets.createAsset({
      id: createId('ast'),
      libraryId: library.id,
      type: 'web-content',
      title: asset.title,
      createdBy: owner.id,
      initialUpdate: createWebContentUpdate(asset),
    })
    assetIds.push(created.id)
  }
  return { libraryId: library.id, siteId: site.id, deliveryKey, assetIds }
}
