export { createTokenVerifier, mintToken } from './tokens.js'
export type { User, TokenVerifier, VerifyResult, TokenRefusal, VerifierOptions, MintOptions } from './tokens.js'
export { createDeliveryKey, hashDeliveryKey } from './delivery-keys.js'
