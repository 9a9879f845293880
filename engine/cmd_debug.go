package engine

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/engine/stream"
	"github.com/goredis-dev/goredis/internal/shasum"
)

// The DEBUG subcommands that test suites lean on: DIGEST and DIGEST-VALUE
// (Redis's own dataset checksum, so a digest taken here equals Redis's for
// the same data), RELOAD (a save and load of every key through the RDB
// encoding, as Redis round-trips its dump file), POPULATE, PROTOCOL,
// ERROR and LOG.

// logLine writes a notice line to the host's log, if it keeps one.
func (e *Engine) logLine(line string) { e.logLevel('*', line) }

// warnLine writes a warning line (Redis's LL_WARNING, '#').
func (e *Engine) warnLine(line string) { e.logLevel('#', line) }

func (e *Engine) logLevel(level byte, line string) {
	switch {
	case e.logAt != nil:
		e.logAt(level, line)
	case e.log != nil:
		e.log(line)
	}
}

// digest is Redis's 20-byte dataset signature (debug.c): SHA-1 based, with
// xor for unordered parts and mixing for ordered ones.
type digest [20]byte

// xor folds SHA1(p) into d.
func (d *digest) xor(p []byte) {
	h := shasum.SHA1(p)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mix folds p into d in an order-dependent way: d = SHA1(d xor SHA1(p)).
func (d *digest) mix(p []byte) {
	d.xor(p)
	*d = shasum.SHA1(d[:])
}

func (d *digest) mixString(s string) { d.mix([]byte(s)) }

func (d digest) hex() string {
	const digits = "0123456789abcdef"
	b := make([]byte, 40)
	for i, c := range d {
		b[2*i], b[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(b)
}

// Redis's type numbers, which the digest mixes in.
const (
	objString = 0
	objList   = 1
	objSet    = 2
	objZset   = 3
	objHash   = 4
	objStream = 6
)

// valueDigest is Redis's xorObjectDigest: the value's type, contents and
// whether it has a deadline, folded into d.
func valueDigest(d *digest, str string, obj object, hasExpire bool) {
	var typ uint32
	switch obj.(type) {
	case nil:
		typ = objString
	case *list:
		typ = objList
	case *setObj:
		typ = objSet
	case *zset:
		typ = objZset
	case *hash:
		typ = objHash
	case *streamValue:
		typ = objStream
	}
	d.mix(binary.BigEndian.AppendUint32(nil, typ))
	switch v := obj.(type) {
	case nil:
		d.mixString(str)
	case *list:
		v.each(0, v.len()-1, func(e string) { d.mixString(e) })
	case *setObj:
		v.each(func(m string) bool { d.xor([]byte(m)); return true })
	case *zset:
		var num []byte
		v.walk(0, v.len(), false, func(m string, score float64) {
			var e digest
			e.mixString(m)
			num = strconv.AppendFloat(num[:0], score, 'g', 17, 64)
			e.mix(cDoubleText(num))
			d.xor(e[:])
		})
	case *hash:
		v.each(func(f, val string) bool {
			var e digest
			e.mixString(f)
			e.mixString(val)
			d.xor(e[:])
			return true
		})
	case *streamValue:
		var it stream.Iterator
		it.Start(v.Stream, stream.ID{}, stream.MaxID, false)
		var idText []byte
		for {
			id, n, ok := it.Next()
			if !ok {
				break
			}
			idText = strconv.AppendUint(idText[:0], id.Ms, 10)
			idText = append(idText, '.')
			idText = strconv.AppendUint(idText, id.Seq, 10)
			d.mix(idText)
			for range n {
				f, val := it.Field()
				d.mix(f)
				d.mix(val)
			}
		}
	}
	if hasExpire {
		d.xor([]byte("!!expire!!"))
	}
}

// cDoubleText turns Go's %.17g into C's, which differ only for the
// infinities (a score is never NaN).
func cDoubleText(b []byte) []byte {
	switch string(b) {
	case "+Inf":
		return []byte("inf")
	case "-Inf":
		return []byte("-inf")
	}
	return b
}

// datasetDigest is Redis's computeDatasetDigest over every database.
func (s *Session) datasetDigest() digest {
	var final digest
	for id, db := range s.ks.dbs {
		if db.size() == 0 {
			continue
		}
		final.mix(binary.BigEndian.AppendUint32(nil, uint32(id)))
		// Keys past their deadline count until deleted, as in Redis
		// (a replica waits for its master's DEL; DEBUG expires nothing).
		each := func(k, str string, obj object) {
			var d digest
			d.mixString(k)
			valueDigest(&d, str, obj, db.deadline(k) >= 0)
			final.xor(d[:])
		}
		db.strs.each(func(k string, v strEntry) bool { each(k, v.v, nil); return true })
		db.objs.each(func(k string, o object) bool { each(k, "", o); return true })
	}
	return final
}

// DEBUG DIGEST
func (s *Session) debugDigest() {
	s.w.Simple(s.datasetDigest().hex())
}

// DEBUG DIGEST-VALUE key [key ...]
func (s *Session) debugDigestValue(keys [][]byte) {
	s.w.Array(len(keys))
	for _, k := range keys {
		var d digest
		if str, obj, found := s.lookup(k); found {
			valueDigest(&d, str, obj, s.db.deadline(tmpString(k)) >= 0)
		}
		s.w.Simple(d.hex())
	}
}

// DEBUG POPULATE count [prefix] [size]: keys prefix:0.. with values
// "value:N", cut or zero-padded to size; existing keys are left alone.
func (s *Session) debugPopulate(args [][]byte) {
	count, ok := parseInt(args[2])
	if !ok || count < 0 {
		s.w.Error(errPositive)
		return
	}
	prefix := "key"
	if len(args) > 3 {
		prefix = string(args[3])
	}
	size := int64(0)
	if len(args) > 4 {
		if size, ok = parseInt(args[4]); !ok || size < 0 {
			s.w.Error(errPositive)
			return
		}
		// Redis would abort trying to allocate a value no client could
		// have sent; refuse it with the words of a too long string.
		if size > s.e.config.int("proto-max-bulk-len") {
			s.w.Error(errStringTooLong)
			return
		}
	}
	// Redis's populate adds the keys without counting them as changes:
	// no rdb_changes_since_last_save, nothing for the AOF or replicas.
	dirty, changes := s.e.dirty, s.e.persist.dirty
	defer func() { s.e.dirty, s.e.persist.dirty = dirty, changes }()
	for j := int64(0); j < count; j++ {
		key := []byte(prefix + ":" + strconv.FormatInt(j, 10))
		if _, _, exists := s.lookup(key); exists {
			continue
		}
		val := "value:" + strconv.FormatInt(j, 10)
		if size > 0 {
			b := make([]byte, size)
			copy(b, val)
			val = string(b)
		}
		s.setString(key, val, false)
	}
	s.w.OK()
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: every key is written in the RDB
// encoding and read back, as Redis saves its dump and loads it again, so
// values come back with the encodings a fresh load gives them and expired
// keys are gone. GoRedis keeps no dump file, so NOSAVE (load an existing
// file) cannot be honoured.
func (s *Session) debugReload(opts [][]byte) {
	// Reloading changes no data as far as the AOF and replicas know
	// (Redis resets server.dirty): never propagated.
	s.preventPropagation()
	merge, flush, save := false, true, true
	for _, o := range opts {
		switch {
		case equalFold(o, "merge"):
			merge = true
		case equalFold(o, "noflush"):
			flush = false
		case equalFold(o, "nosave"):
			save = false
		default:
			s.w.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	e := s.e
	if e.persist.p != nil && s.ks == e.main {
		// As Redis: save the dump, empty the dataset, load the dump.
		if save && e.saveNow() != nil {
			s.w.Error("ERR")
			return
		}
		if flush {
			for _, db := range e.main.dbs {
				e.flushDB(db)
			}
			e.forgetReplicaKeys()
			e.flushFunctions()
		}
		ld := e.beginLoad(-1, true)
		ld.AllowDuplicates = merge
		err := e.persist.p.Load(ld)
		ld.End()
		if err != nil {
			s.w.Error("ERR Error trying to load the RDB dump")
			return
		}
		e.warnLine("DB reloaded by DEBUG RELOAD")
		s.w.OK()
		return
	}
	if !save {
		s.w.Error("ERR This server keeps no RDB file to load: DEBUG RELOAD NOSAVE needs persistence")
		return
	}
	enc := s.e.encoder()
	for _, db := range s.ks.dbs {
		type entry struct {
			key     string
			payload []byte
		}
		var entries []entry
		var expired []string
		each := func(k, str string, obj object) {
			if s.e.isExpired(db, k) {
				expired = append(expired, k)
			} else {
				entries = append(entries, entry{k, enc.appendValue(nil, str, obj)})
			}
		}
		db.strs.each(func(k string, v strEntry) bool { each(k, v.v, nil); return true })
		db.objs.each(func(k string, o object) bool { each(k, "", o); return true })
		for _, k := range expired { // not in the dump
			s.e.deleteKey(db, k)
		}
		for _, en := range entries {
			str, obj, err := s.rdbLoadObject(en.payload)
			if err != nil {
				// What this server wrote it must read: a bug, not bad input.
				panic("debug reload: " + en.key + ": " + err.Error())
			}
			s.e.storeMoved(db, en.key, str, obj, db.deadline(en.key), 0, false)
		}
	}
	s.w.OK()
}

// DEBUG PROTOCOL type: a sample reply of each RESP3 type, as Redis gives
// them (in their RESP2 forms under RESP2).
func (s *Session) debugProtocol(name []byte) {
	w := &s.w
	switch strings.ToLower(string(name)) {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		w.Double(3.141)
	case "bignum":
		w.BigNumber("1234567999999999999999999999999999999")
	case "null":
		w.Null()
	case "array":
		w.Array(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "set":
		w.Set(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "map":
		w.Map(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
			w.Bool(j == 1)
		}
	case "attrib":
		if s.w.proto >= 3 {
			w.Attribute(1)
			w.BulkString("key-popularity")
			w.Array(2)
			w.BulkString("key:123")
			w.Int(90)
		}
		// Attributes are not real replies: one follows.
		w.BulkString("Some real reply following the attribute")
	case "push":
		if s.w.proto < 3 {
			w.Error("ERR RESP2 is not supported by this command")
			return
		}
		start := len(w.buf)
		w.Push(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		s.pushed(start)
		// Push replies are not synchronous replies: one follows.
		w.BulkString("Some real reply following the push reply")
	case "true":
		w.Bool(true)
	case "false":
		w.Bool(false)
	case "verbatim":
		w.Verbatim("txt", "This is a verbatim\nstring")
	default:
		w.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}
