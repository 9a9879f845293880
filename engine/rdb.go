package engine

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/goredis-dev/goredis/rdb"
)

// The engine's side of the RDB format (package rdb has the bytes): how each
// value type is written, in the encodings Redis 7.0 writes for it (listpacks
// for small hashes and sorted sets, an intset for small integer sets, a
// quicklist of listpacks for lists), and how a decoded rdb.Value becomes a
// value again. DUMP, RESTORE, DEBUG RELOAD, DEBUG OBJECT's
// serializedlength and snapshots (SAVE, BGSAVE, the AOF preamble) all use
// it, so there is one codec.

// valueEncoder writes values. Its settings are copied from the
// configuration when it is made, so a background snapshot can use it
// without the engine lock.
type valueEncoder struct {
	// compress is rdbcompression: LZF for strings over 20 bytes.
	compress bool
	// listFill is list-max-listpack-size, which sizes quicklist nodes.
	listFill int64
	// plainAt is the element size from which a list element is a plain
	// quicklist node of its own (DEBUG QUICKLIST-PACKED-THRESHOLD).
	plainAt int64
	// scratch, when set, is reused between values (a snapshot encodes a
	// million of them); nil makes a fresh one per value (DUMP).
	scratch *encScratch
}

// encScratch is the working storage of an encoder: a listpack being
// built, the quicklist nodes of a list, a score's text.
type encScratch struct {
	lp    rdb.ListpackBuilder
	nodes []byte
	spans []quicklistNode
	num   []byte
}

// quicklistNode is one node of a list being written: its container and
// where its bytes are in encScratch.nodes.
type quicklistNode struct {
	container  uint64
	start, end int
}

func (enc valueEncoder) work() *encScratch {
	sc := enc.scratch
	if sc == nil {
		sc = &encScratch{}
	}
	sc.lp.Reset()
	return sc
}

// encoder returns a valueEncoder with the current configuration.
func (e *Engine) encoder() valueEncoder {
	return valueEncoder{
		compress: e.config.bool("rdbcompression"),
		listFill: e.config.int("list-max-listpack-size"),
		plainAt:  e.packedThreshold(),
	}
}

// appendValue appends the type byte and the value.
func (enc valueEncoder) appendValue(b []byte, str string, obj object) []byte {
	c := enc.compress
	switch v := obj.(type) {
	case nil:
		return rdb.AppendString(append(b, rdb.TypeString), str, c)
	case *list:
		return enc.appendList(append(b, rdb.TypeListQuicklist2), v)
	case *hash:
		if v.isSmall() {
			lp := &enc.work().lp
			v.each(func(f, val string) bool { lp.Add(f); lp.Add(val); return true })
			return appendBlob(append(b, rdb.TypeHashListpack), lp.Bytes(), c)
		}
		b = rdb.AppendLen(append(b, rdb.TypeHash), uint64(v.len()))
		v.each(func(f, val string) bool {
			b = rdb.AppendString(rdb.AppendString(b, f, c), val, c)
			return true
		})
		return b
	case *setObj:
		if !v.hash {
			return appendBlob(append(b, rdb.TypeSetIntset), rdb.IntsetBytes(v.ints), c)
		}
		b = rdb.AppendLen(append(b, rdb.TypeSet), uint64(v.len()))
		v.each(func(m string) bool { b = rdb.AppendString(b, m, c); return true })
		return b
	case *zset:
		if v.zsl == nil {
			sc := enc.work()
			lp := &sc.lp
			v.walk(0, v.len(), false, func(m string, score float64) {
				lp.Add(m)
				sc.num = appendScoreText(sc.num[:0], score)
				lp.Add(bytesToString(sc.num))
			})
			return appendBlob(append(b, rdb.TypeZsetListpack), lp.Bytes(), c)
		}
		// Redis writes a skiplist from the highest score down, so loading
		// it inserts each member at the head.
		b = rdb.AppendLen(append(b, rdb.TypeZset2), uint64(v.len()))
		v.walk(v.len()-1, v.len(), true, func(m string, score float64) {
			b = rdb.AppendBinaryDouble(rdb.AppendString(b, m, c), score)
		})
		return b
	case *streamValue:
		return rdb.AppendStream(append(b, rdb.TypeStreamListpack2), v.toRDB(), c)
	}
	panic("rdb: unknown value type " + obj.typeName())
}

// appendBlob appends a packed container as the string Redis saves it as.
func appendBlob(b, blob []byte, compress bool) []byte {
	return rdb.AppendString(b, bytesToString(blob), compress)
}

// appendList writes a list as a quicklist of listpack nodes, each within
// list-max-listpack-size as Redis fills them.
func (enc valueEncoder) appendList(b []byte, l *list) []byte {
	fill := enc.listFill
	maxBytes, maxCount := 8192, math.MaxInt
	switch {
	case fill > 0:
		maxCount = int(fill)
	case fill >= -5:
		maxBytes = 4096 << (-fill - 1)
	}
	sc := enc.work()
	lp := &sc.lp
	sc.nodes, sc.spans = sc.nodes[:0], sc.spans[:0]
	addNode := func(container uint64, data []byte) {
		start := len(sc.nodes)
		sc.nodes = append(sc.nodes, data...)
		sc.spans = append(sc.spans, quicklistNode{container, start, len(sc.nodes)})
	}
	l.each(0, l.len()-1, func(v string) {
		if int64(len(v)) >= enc.plainAt {
			// A large element is a plain node of its own, as Redis's
			// quicklist keeps it.
			if lp.Len() > 0 {
				addNode(rdb.QuicklistPacked, lp.Bytes())
				lp.Reset()
			}
			addNode(rdb.QuicklistPlain, stringToBytes(v))
			return
		}
		if lp.Len() > 0 && (lp.Len() >= maxCount || lp.Size()+len(v)+11 > maxBytes) {
			addNode(rdb.QuicklistPacked, lp.Bytes())
			lp.Reset()
		}
		lp.Add(v)
	})
	if lp.Len() > 0 || len(sc.spans) == 0 {
		addNode(rdb.QuicklistPacked, lp.Bytes())
	}
	b = rdb.AppendLen(b, uint64(len(sc.spans)))
	for _, n := range sc.spans {
		b = rdb.AppendLen(b, n.container)
		b = appendBlob(b, sc.nodes[n.start:n.end], enc.compress)
	}
	return b
}

// defaultPackedThreshold is Redis's quicklist packed_threshold: elements
// of 1 GB or more are plain nodes.
const defaultPackedThreshold = 1 << 30

// packedThreshold is the element size from which list elements are plain
// quicklist nodes.
func (e *Engine) packedThreshold() int64 {
	if e.listPackedThreshold == 0 {
		return defaultPackedThreshold
	}
	return e.listPackedThreshold
}

// errBadRDB is a value that decodes but cannot be a value (duplicates).
var errBadRDB = rdb.ErrEmptyKey

// valueLimits are the encoding thresholds values are built with.
type valueLimits struct {
	maxIntset int
	hash      hashLimits
	zset      zsetLimits
}

func (e *Engine) valueLimits() valueLimits {
	c := e.config
	return valueLimits{
		maxIntset: int(min(c.int("set-max-intset-entries"), math.MaxInt32)),
		hash:      hashLimits{c.int("hash-max-listpack-entries"), c.int("hash-max-listpack-value")},
		zset: zsetLimits{
			entries: int(min(c.int("zset-max-listpack-entries"), math.MaxInt32)),
			value:   int(min(c.int("zset-max-listpack-value"), math.MaxInt32)),
		},
	}
}

// buildValue turns a decoded value into a stored one. Collections are
// built through the same paths as commands, so their encodings follow this
// server's limits; duplicate members are refused, as Redis does.
func (e *Engine) buildValue(v rdb.Value, lim valueLimits) (string, object, error) {
	switch v.Kind {
	case rdb.KindString:
		return v.Str, nil, nil
	case rdb.KindList:
		l := &list{}
		l.reserve(len(v.Items))
		for _, it := range v.Items {
			l.pushBack(it)
		}
		return "", l, nil
	case rdb.KindSet:
		st := newSet(e.seed)
		if len(v.Items) > lim.maxIntset {
			st.convert()
		}
		for _, m := range v.Items {
			if !st.hash {
				if _, isInt := parseInt(stringToBytes(m)); !isInt {
					st.convert()
				}
			}
			if !st.addLoaded(m, lim.maxIntset) {
				return "", nil, duplicateError(v.Type, "Duplicate set members detected")
			}
		}
		return "", st, nil
	case rdb.KindHash:
		h := &hash{}
		if int64(len(v.Items)/2) <= lim.hash.entries {
			// Sized once for the packed form, if the hash stays in it
			// (with the slack hash.set's reservation asks for).
			size := 2 * binary.MaxVarintLen32
			for _, it := range v.Items {
				size += len(it) + uvarintLen(len(it))
			}
			h.lp = make([]byte, 0, size)
		}
		for k := 0; k < len(v.Items); k += 2 {
			if !hashSetLimited(h, lim.hash, e.seed, v.Items[k], v.Items[k+1]) {
				return "", nil, duplicateError(v.Type, "Duplicate hash fields detected")
			}
		}
		return "", h, nil
	case rdb.KindZset:
		z := newZset(e.seed)
		if len(v.Items) > lim.zset.entries || slices.ContainsFunc(v.Items, func(m string) bool { return len(m) > lim.zset.value }) {
			z.convert()
		}
		for k, m := range v.Items {
			if _, dup := z.score(m); dup {
				return "", nil, duplicateError(v.Type, "Duplicate zset fields detected")
			}
			z.insert(m, v.Scores[k], lim.zset)
		}
		return "", z, nil
	case rdb.KindStream:
		st, err := StreamFromRDB(v.Stream)
		if err != nil {
			if rdb.CorruptReason(err) == "" {
				err = rdb.Corrupt("Stream listpack integrity check failed.")
			}
			return "", nil, err
		}
		return "", &streamValue{Stream: st}, nil
	}
	return "", nil, errBadRDB
}

// duplicateError reports a duplicate in a decoded collection as Redis
// does: a packed container fails its integrity check, a plain encoding
// has its own words (plain).
func duplicateError(t byte, plain string) error {
	if r := rdb.PackedIntegrityReason(t); r != "" {
		return rdb.Corrupt(r)
	}
	return rdb.Corrupt(plain)
}

// restoreObject is rdbLoadObject for RESTORE: INFO counts the containers
// checked (dump_payload_sanitizations) when sanitize-dump-payload asks
// for deep checks of this client's payloads, and a corrupt payload is
// logged with Redis's reason at verbose level, as Redis's rdbReportError
// in a RESTORE (the server goes on).
func (s *Session) restoreObject(p []byte) (string, object, error) {
	v, err := rdb.DecodeValue(p)
	if s.deepSanitize() {
		s.e.stats.dumpSanitizations += int64(v.Containers)
	}
	if err == nil {
		var str string
		var obj object
		str, obj, err = s.e.buildValue(v, s.e.valueLimits())
		if err == nil {
			return str, obj, nil
		}
	}
	if reason := rdb.CorruptReason(err); reason != "" {
		s.e.logLevel('-', "Internal error in RDB reading offset 0 -> "+reason)
	}
	return "", nil, err
}

// deepSanitize is Redis's deep_integrity_validation for a RESTORE:
// sanitize-dump-payload yes, or clients (not the master's stream, not a
// user with skip-sanitize-payload). GoRedis checks every payload in
// full either way; the setting decides what INFO counts.
func (s *Session) deepSanitize() bool {
	switch s.e.config.param("sanitize-dump-payload").value {
	case "yes":
		return true
	case "clients":
		return !s.fromMaster && !s.e.loading && (s.user == nil || !s.user.SkipSanitizePayload())
	}
	return false
}

// rdbLoadObject reads one DUMP payload's value.
func (s *Session) rdbLoadObject(p []byte) (string, object, error) {
	v, err := rdb.DecodeValue(p)
	if err != nil {
		return "", nil, err
	}
	return s.e.buildValue(v, s.e.valueLimits())
}

// uvarintLen is the size of n as a uvarint (a packed hash's entry header).
func uvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}
