// Why Redis changed how it stores a value: the explanation the keyspace
// pane shows when OBJECT ENCODING changes, naming the limit that was
// crossed. Redis 7.0's conversions only go one way (compact to general).
//
// explain({type, key, from, to, size, config}) -> text | null
// size: the element count (HLEN, SCARD, ZCARD) or string length;
// config(name) -> Promise of the setting's value (CONFIG GET).

const limits = {
  hash: { entries: 'hash-max-listpack-entries', value: 'hash-max-listpack-value', what: 'fields', unit: 'field or value' },
  zset: { entries: 'zset-max-listpack-entries', value: 'zset-max-listpack-value', what: 'members', unit: 'member' },
};

export async function explain({ type, key, from, to, size, config }) {
  if (!from || !to || from === to) return null;
  const head = `${type} "${key}" changed encoding: ${from} → ${to}.`;
  if (type === 'string') {
    if (from === 'int') return `${head} It no longer holds an integer Redis can keep as a number.`;
    if (from === 'embstr' && to === 'raw') {
      return `${head} embstr holds strings of up to 44 bytes in one allocation (a fixed limit, not a setting); this one is ${size} bytes or was changed in place (APPEND, SETRANGE).`;
    }
    return head;
  }
  const l = limits[type];
  if (l && from === 'listpack') {
    const max = Number(await config(l.entries));
    if (size > max) return `${head} It has ${size} ${l.what}, more than ${l.entries} (${max}).`;
    const len = await config(l.value);
    return `${head} A ${l.unit} is longer than ${l.value} (${len} bytes).`;
  }
  if (type === 'set' && from === 'intset') {
    const max = Number(await config('set-max-intset-entries'));
    if (size > max) return `${head} It has ${size} members, more than set-max-intset-entries (${max}).`;
    return `${head} A member is not an integer, and an intset holds only integers.`;
  }
  return head;
}
