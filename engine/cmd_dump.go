package engine

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
)

// DUMP and RESTORE: a key's value in Redis's serialization format (see
// rdb.go), so a value moves between GoRedis and Redis in either direction.

func dumpHandlers() []handlerEntry {
	return []handlerEntry{
		{"dump", cmdDump},
		{"restore", cmdRestore},
	}
}

const (
	errDumpPayload   = "ERR DUMP payload version or checksum are wrong"
	errBadDataFormat = "ERR Bad data format"
)

// DUMP key
func cmdDump(s *Session, args [][]byte) {
	str, obj, found := s.lookupRead(args[1])
	if !found {
		s.w.Null()
		return
	}
	s.w.Bulk(s.dumpPayload(str, obj))
}

// dumpPayload is DUMP's reply: type, value, RDB version, CRC-64.
func (s *Session) dumpPayload(str string, obj object) []byte {
	b := s.rdbAppendObject(nil, str, obj)
	b = binary.LittleEndian.AppendUint16(b, rdbVersion)
	return binary.LittleEndian.AppendUint64(b, crc64Jones(b))
}

// rdbAppendObject appends the type byte and the value, in the form Redis
// 7.0 writes for the value's encoding.
func (s *Session) rdbAppendObject(b []byte, str string, obj object) []byte {
	switch v := obj.(type) {
	case nil:
		return rdbAppendString(append(b, rdbTypeString), str)
	case *list:
		return s.rdbAppendList(append(b, rdbTypeListQuicklist2), v)
	case *hash:
		if v.isSmall() {
			lp := newListpackBuilder()
			v.each(func(f, val string) bool { lp.add(f); lp.add(val); return true })
			return rdbAppendString(append(b, rdbTypeHashListpack), string(lp.bytes()))
		}
		b = rdbAppendLen(append(b, rdbTypeHash), uint64(v.len()))
		v.each(func(f, val string) bool {
			b = rdbAppendString(rdbAppendString(b, f), val)
			return true
		})
		return b
	case *setObj:
		if !v.hash {
			return rdbAppendString(append(b, rdbTypeSetIntset), string(intsetBytes(v.ints)))
		}
		b = rdbAppendLen(append(b, rdbTypeSet), uint64(v.len()))
		v.each(func(m string) bool { b = rdbAppendString(b, m); return true })
		return b
	case *zset:
		if v.zsl == nil {
			lp := newListpackBuilder()
			var num []byte
			v.walk(0, v.len(), false, func(m string, score float64) {
				lp.add(m)
				num = appendScoreText(num[:0], score)
				lp.add(string(num))
			})
			return rdbAppendString(append(b, rdbTypeZsetListpack), string(lp.bytes()))
		}
		// Redis writes a skiplist from the highest score down, so loading
		// it inserts each member at the head.
		b = rdbAppendLen(append(b, rdbTypeZset2), uint64(v.len()))
		v.walk(v.len()-1, v.len(), true, func(m string, score float64) {
			b = rdbAppendBinaryDouble(rdbAppendString(b, m), score)
		})
		return b
	}
	panic("dump: unknown value type " + obj.typeName())
}

// rdbAppendList writes a list as a quicklist of listpack nodes, each
// within list-max-listpack-size as Redis fills them.
func (s *Session) rdbAppendList(b []byte, l *list) []byte {
	fill := s.e.config.int("list-max-listpack-size")
	maxBytes, maxCount := 8192, math.MaxInt
	switch {
	case fill > 0:
		maxCount = int(fill)
	case fill >= -5:
		maxBytes = 4096 << (-fill - 1)
	}
	var nodes [][]byte
	lp := newListpackBuilder()
	l.each(0, l.len()-1, func(v string) {
		if lp.n > 0 && (lp.n >= maxCount || lp.size()+len(v)+11 > maxBytes) {
			nodes = append(nodes, lp.bytes())
			lp = newListpackBuilder()
		}
		lp.add(v)
	})
	nodes = append(nodes, lp.bytes())
	b = rdbAppendLen(b, uint64(len(nodes)))
	for _, n := range nodes {
		b = rdbAppendLen(b, quicklistPacked)
		b = rdbAppendString(b, string(n))
	}
	return b
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency]
func cmdRestore(s *Session, args [][]byte) {
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(args); j++ {
		more := len(args) - j - 1
		switch {
		case equalFold(args[j], "replace"):
			replace = true
		case equalFold(args[j], "absttl"):
			absTTL = true
		case equalFold(args[j], "idletime") && more >= 1 && freq == -1:
			var ok bool
			if idle, ok = s.intInRange(args[j+1], 0, math.MaxInt64, "ERR Invalid IDLETIME value, must be >= 0"); !ok {
				return
			}
			j++
		case equalFold(args[j], "freq") && more >= 1 && idle == -1:
			var ok bool
			if freq, ok = s.intInRange(args[j+1], 0, 255, "ERR Invalid FREQ value, must be >= 0 and <= 255"); !ok {
				return
			}
			j++
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	key := args[1]
	if _, _, exists := s.lookup(key); exists && !replace {
		s.w.Error(errBusyKey)
		return
	}
	ttl, ok := s.intInRange(args[2], 0, math.MaxInt64, "ERR Invalid TTL value, must be >= 0")
	if !ok {
		return
	}
	payload := args[3]
	if !verifyDumpPayload(payload, s.e.skipChecksum) {
		s.w.Error(errDumpPayload)
		return
	}
	// Redis reads the value from the whole payload, footer included: a
	// length that runs into the footer is read from it.
	str, obj, err := s.rdbLoadObject(payload)
	if err != nil {
		s.w.Error(errBadDataFormat)
		return
	}
	deleted := replace && s.deleteKey(key)
	if ttl > 0 && !absTTL {
		ttl += s.e.nowMs
	}
	if ttl > 0 && ttl <= s.e.nowMs {
		// Already expired: nothing is created, but a replaced key is gone.
		if deleted {
			s.rewriteArgv(argDel, key)
			s.notifyEvent(notifyGeneric, "del", key)
		}
		s.w.OK()
		return
	}
	deadline := int64(-1)
	if ttl > 0 {
		deadline = ttl
	}
	// GoRedis keeps write times, not access counters (see idle.go): IDLETIME
	// back-dates the key's time, FREQ has nothing to set.
	wtime, hasWtime := uint32(0), idle >= 0
	if hasWtime {
		wtime = uint32(max(s.e.nowMs/1000-idle, 0))
	}
	s.e.storeMoved(s.db, string(key), str, obj, deadline, wtime, hasWtime)
	if ttl > 0 && !absTTL && s.e.propagating() {
		// Propagated with the absolute deadline.
		argv := append([][]byte(nil), args...)
		argv[2] = int64Arg(ttl)
		s.rewriteArgv(append(argv, argAbsTTL)...)
	}
	if !deleted {
		s.notifyEvent(notifyNew, "new", key)
	}
	s.notifyEvent(notifyGeneric, "restore", key)
	s.w.OK()
}

// intInRange parses a RESTORE number: errNotInt when it is not an integer,
// msg when it is outside lo..hi; false once the error is written.
func (s *Session) intInRange(arg []byte, lo, hi int64, msg string) (int64, bool) {
	v, ok := parseInt(arg)
	if !ok {
		s.w.Error(errNotInt)
		return 0, false
	}
	if v < lo || v > hi {
		s.w.Error(msg)
		return 0, false
	}
	return v, true
}

// verifyDumpPayload checks the footer: an RDB version this server reads
// and, unless skipCRC, the CRC-64 of everything before the checksum.
func verifyDumpPayload(p []byte, skipCRC bool) bool {
	if len(p) < 10 {
		return false
	}
	footer := p[len(p)-10:]
	if binary.LittleEndian.Uint16(footer) > rdbVersion {
		return false
	}
	return skipCRC || binary.LittleEndian.Uint64(footer[2:]) == crc64Jones(p[:len(p)-8])
}

// rdbLoadObject reads one typed value. Collections are built through the
// same paths as commands, so their encodings follow this server's limits;
// empty collections and duplicate members are refused, as Redis does.
func (s *Session) rdbLoadObject(p []byte) (string, object, error) {
	r := &rdbReader{p: p}
	t, err := r.byte()
	if err != nil {
		return "", nil, err
	}
	var str string
	var obj object
	switch t {
	case rdbTypeString:
		str, err = r.string()
	case rdbTypeList, rdbTypeListZiplist, rdbTypeListQuicklist, rdbTypeListQuicklist2:
		obj, err = s.rdbLoadList(r, t)
	case rdbTypeSet, rdbTypeSetIntset:
		obj, err = s.rdbLoadSet(r, t)
	case rdbTypeHash, rdbTypeHashZiplist, rdbTypeHashListpack:
		obj, err = s.rdbLoadHash(r, t)
	case rdbTypeZset, rdbTypeZset2, rdbTypeZsetZiplist, rdbTypeZsetListpack:
		obj, err = s.rdbLoadZset(r, t)
	default:
		// Streams and module values: GoRedis has neither.
		err = errBadRDB
	}
	if err != nil {
		return "", nil, err
	}
	return str, obj, nil
}

// rdbLoadPacked reads a string holding a listpack (or, for the older
// types, a ziplist) and decodes its entries.
func rdbLoadPacked(r *rdbReader, ziplist bool) ([]string, error) {
	blob, err := r.string()
	if err != nil {
		return nil, err
	}
	if ziplist {
		return ziplistEntries([]byte(blob))
	}
	return listpackEntries([]byte(blob))
}

// rdbLoadStrings reads a count and that many strings.
func rdbLoadStrings(r *rdbReader, perItem int) ([]string, error) {
	n, err := r.count()
	if err != nil || n == 0 {
		return nil, errBadRDB
	}
	out := make([]string, 0, min(n*perItem, 1<<16))
	for k := 0; k < n*perItem; k++ {
		v, err := r.string()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Session) rdbLoadList(r *rdbReader, t byte) (object, error) {
	var items []string
	switch t {
	case rdbTypeList:
		var err error
		if items, err = rdbLoadStrings(r, 1); err != nil {
			return nil, err
		}
	case rdbTypeListZiplist:
		var err error
		if items, err = rdbLoadPacked(r, true); err != nil {
			return nil, err
		}
	default: // quicklists: a count of nodes, each a packed blob
		nodes, err := r.count()
		if err != nil {
			return nil, err
		}
		for ; nodes > 0; nodes-- {
			container := uint64(quicklistPacked)
			if t == rdbTypeListQuicklist2 {
				var enc bool
				container, enc, err = r.length()
				if err != nil || enc || (container != quicklistPlain && container != quicklistPacked) {
					return nil, errBadRDB
				}
			}
			if container == quicklistPlain {
				v, err := r.string()
				if err != nil {
					return nil, err
				}
				items = append(items, v)
				continue
			}
			entries, err := rdbLoadPacked(r, t == rdbTypeListQuicklist)
			if err != nil {
				return nil, err
			}
			items = append(items, entries...)
		}
	}
	if len(items) == 0 {
		return nil, errBadRDB
	}
	l := &list{}
	l.reserve(len(items))
	for _, v := range items {
		l.pushBack(v)
	}
	return l, nil
}

func (s *Session) rdbLoadSet(r *rdbReader, t byte) (object, error) {
	var members []string
	if t == rdbTypeSetIntset {
		blob, err := r.string()
		if err != nil {
			return nil, err
		}
		vals, err := intsetValues([]byte(blob))
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			members = append(members, strconv.FormatInt(v, 10))
		}
	} else {
		var err error
		if members, err = rdbLoadStrings(r, 1); err != nil {
			return nil, err
		}
	}
	st := newSet(s.e.seed)
	maxInts := s.maxIntset()
	if len(members) > maxInts {
		st.convert()
	}
	for _, m := range members {
		if _, isInt := parseInt([]byte(m)); !isInt {
			st.convert()
		}
		if !st.add([]byte(m), maxInts) {
			return nil, errBadRDB // duplicate member
		}
	}
	return st, nil
}

func (s *Session) rdbLoadHash(r *rdbReader, t byte) (object, error) {
	var kv []string
	var err error
	if t == rdbTypeHash {
		kv, err = rdbLoadStrings(r, 2)
	} else {
		kv, err = rdbLoadPacked(r, t == rdbTypeHashZiplist)
	}
	if err != nil {
		return nil, err
	}
	if len(kv) == 0 || len(kv)%2 != 0 {
		return nil, errBadRDB
	}
	h := &hash{}
	lim := s.hashLimits()
	for k := 0; k < len(kv); k += 2 {
		if !s.hashSet(h, lim, kv[k], kv[k+1]) {
			return nil, errBadRDB // duplicate field
		}
	}
	return h, nil
}

func (s *Session) rdbLoadZset(r *rdbReader, t byte) (object, error) {
	var members []string
	var scores []float64
	switch t {
	case rdbTypeZset, rdbTypeZset2:
		n, err := r.count()
		if err != nil || n == 0 {
			return nil, errBadRDB
		}
		for ; n > 0; n-- {
			m, err := r.string()
			if err != nil {
				return nil, err
			}
			var f float64
			if t == rdbTypeZset {
				f, err = r.doubleText()
			} else {
				f, err = r.binaryDouble()
			}
			if err != nil {
				return nil, err
			}
			members, scores = append(members, m), append(scores, f)
		}
	default:
		entries, err := rdbLoadPacked(r, t == rdbTypeZsetZiplist)
		if err != nil || len(entries) == 0 || len(entries)%2 != 0 {
			return nil, errBadRDB
		}
		for k := 0; k < len(entries); k += 2 {
			f, err := strconv.ParseFloat(entries[k+1], 64)
			if err != nil {
				return nil, errBadRDB
			}
			members, scores = append(members, entries[k]), append(scores, f)
		}
	}
	z := newZset(s.e.seed)
	lim := s.zlimits()
	if len(members) > lim.entries || slices.ContainsFunc(members, func(m string) bool { return len(m) > lim.value }) {
		z.convert()
	}
	for k, m := range members {
		if math.IsNaN(scores[k]) {
			return nil, errBadRDB
		}
		if _, dup := z.score(m); dup {
			return nil, errBadRDB
		}
		z.insert(m, scores[k], lim)
	}
	return z, nil
}
