export {
  FIELDS_KEY,
  BODY_KEY,
  checkBody,
  cleanBody,
  createWebContentUpdate,
  createFieldsUpdate,
  encodeNewDocument,
  writeFields,
  readWebContent,
  emptyBody,
  paragraphs,
} from './web-content.js'
export type { FieldValue, WebContentInput, BodyCheck } from './web-content.js'
export {
  COLLECTION_KEY,
  ITEMS_KEY,
  CollectionQuery,
  createCollectionUpdate,
  readCollection,
  setCollectionItems,
} from './collection.js'
export type { CollectionSpec } from './collection.js'
export { renderHtml, bodyPlainText, escapeHtml, safeUrl, referencedAssets, resolveFileMarkers, FILE_SRC_MARKER } from './render-html.js'
