// The JSON codec's public face: other modules import from here, never from its files.
export {
  exactDigitsOf,
  originalOf,
  parseJsonExact,
  stringifyExact,
  stringifyExactInSlices,
} from './exact-json.js';
