export {
  FIELDS_KEY,
  BODY_KEY,
  checkBody,
  createWebContentUpdate,
  readWebContent,
  emptyBody,
  paragraphs,
} from './web-content.js'
export type { FieldValue, WebContentInput, BodyCheck } from './web-content.js'
