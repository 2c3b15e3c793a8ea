export { AssetConnection, connectAsset } from './connect-asset.js'
export type { CloseInfo, ConnectAssetOptions } from './connect-asset.js'
