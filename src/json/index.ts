// The JSON codec's public face: numbers a JavaScript number would round kept digit for digit,
// for every folder that reads or writes an event's JSON (http, ingest, contract, publisher).
export {
  exactDigitsOf,
  originalOf,
  parseJsonExact,
  stringifyExact,
  stringifyExactInSlices,
} from './exact-json.js';
