/**
 * Mints a development token with the same secret the server uses:
 *   npm run token -- --sub alice --name Alice [--admin] [--expires 7d]
 * AUTH_SECRET when set, otherwise the embedded default's generated secret under DATA_DIR.
 */
import { parseArgs } from 'node:util'
import { readDevSecret } from '../auth/dev-secret.js'
import { mintToken } from '../auth/tokens.js'
import { isUserId } from '../../shared/ids.js'

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    name: { type: 'string' },
    admin: { type: 'boolean', default: false },
    expires: { type: 'string', default: '7d' },
  },
})

function fail(message: string): never {
  process.stderr.write(`${message}\nusage: npm run token -- --sub alice [--name Alice] [--admin] [--expires 7d]\n`)
  process.exit(2)
}

if (!values.sub) fail('--sub is required')
if (!isUserId(values.sub)) fail(`--sub "${values.sub}" is not a valid user id (letters, digits, . _ @ + | : -)`)
const dataDir = process.env.DATA_DIR || './data'
const secret = process.env.AUTH_SECRET || readDevSecret(dataDir)
if (!secret) fail(`no AUTH_SECRET set and no generated secret in ${dataDir}: start the server once, or set AUTH_SECRET`)

const token = await mintToken(secret, {
  sub: values.sub,
  ...(values.name !== undefined ? { name: values.name } : {}),
  admin: values.admin,
  expiresIn: values.expires,
})
process.stdout.write(`${token}\n`)
