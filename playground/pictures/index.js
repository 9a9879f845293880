// Pictures of values, one small module per type. Each exports
//
//   load(q, key, from) -> data     the value's first page (from: where the
//                                  next page starts), with bounded commands
//   draw(data, more) -> Element    a picture of data; more() loads the next page
//
// q.run([[...args], ...]) sends commands on the pane's own connection and
// resolves to their parsed replies. A type the engine gains (streams, geo)
// is one more file here and one line below.
import * as string from './string.js';
import * as list from './list.js';
import * as hash from './hash.js';
import * as set from './set.js';
import * as zset from './zset.js';
import * as stream from './stream.js';

export const pictures = { string, list, hash, set, zset, stream };
