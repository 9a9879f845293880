package engine

import (
	"math"

	"github.com/goredis-dev/goredis/engine/hyperloglog"
)

// HyperLogLog commands (Redis's hyperloglog.c). A HyperLogLog is a string
// value in Redis's exact representation (package hyperloglog), so it moves
// to and from Redis through GET/SET, DUMP/RESTORE and persistence. Writes
// change the value's bytes in place while nothing else holds them, else a
// copy (strbuf.go); PFCOUNT and the sources of PFMERGE keep nothing of
// them.

func hllHandlers() []handlerEntry {
	return []handlerEntry{
		{"pfadd", cmdPfadd},
		{"pfcount", cmdPfcount},
		{"pfmerge", cmdPfmerge},
		{"pfdebug", cmdPfdebug},
		{"pfselftest", cmdPfselftest},
	}
}

const (
	errHLLCorrupt = "INVALIDOBJ Corrupted HLL object detected"
	errHLLType    = "WRONGTYPE Key is not a valid HyperLogLog string value."
)

// lookupHLL finds key's HyperLogLog for reading: found is false for a
// missing key; ok is false (the error written) for another type or a
// string that is not a HyperLogLog (Redis's isHLLObjectOrReply).
func (s *Session) lookupHLL(key []byte, write bool) (v string, found, ok bool) {
	var obj object
	if write {
		v, obj, found = s.lookupKeeping(key, false)
	} else {
		v, obj, found = s.lookupReadKeeping(key, false)
	}
	if !found {
		return "", false, true
	}
	if obj != nil {
		s.w.Error(errWrongType)
		return "", true, false
	}
	if !hyperloglog.Valid(stringToBytes(v)) {
		s.w.Error(errHLLType)
		return "", true, false
	}
	return v, true, true
}

// hllSparseMax is hll-sparse-max-bytes.
func (s *Session) hllSparseMax() int {
	return int(min(s.e.config.int("hll-sparse-max-bytes"), math.MaxInt32))
}

// storeHLL stores a HyperLogLog written in place by Redis: a raw string,
// deadline kept.
func (s *Session) storeHLL(key []byte, b []byte) {
	s.storeOwned(key, b, true, true)
}

// PFADD key [element [element ...]]
func cmdPfadd(s *Session, args [][]byte) {
	key := args[1]
	cur, found, ok := s.lookupHLL(key, true)
	if !ok {
		return
	}
	if found && !hllWouldChange(stringToBytes(cur), args[2:]) {
		// Every element is counted already: nothing to copy or store.
		s.db.markRawValue(tmpString(key), cur)
		s.w.Int(0)
		return
	}
	var b []byte
	updated := 0
	if !found {
		b = hyperloglog.New()
		updated++
	} else {
		b = s.writableString(key, cur, true, len(cur)) // Redis unshares the value it writes into
	}
	sparseMax := s.hllSparseMax()
	for _, ele := range args[2:] {
		nb, changed, err := hyperloglog.Add(b, ele, sparseMax)
		if err != nil {
			// Redis has written the registers before the corrupt one in place.
			s.storeHLL(key, b)
			s.w.Error(errHLLCorrupt)
			return
		}
		b = nb
		if changed {
			updated++
		}
	}
	if updated == 0 {
		s.db.markRaw(tmpString(key))
		s.w.Int(0)
		return
	}
	hyperloglog.InvalidateCache(b)
	s.storeHLL(key, b)
	s.e.persist.dirty += int64(updated - 1) // Redis counts every changed register
	s.notifyEvent(notifyString, "pfadd", key)
	s.w.Int(1)
}

// hllWouldChange reports whether adding elems would raise a register of b.
func hllWouldChange(b []byte, elems [][]byte) bool {
	for _, ele := range elems {
		index, count := hyperloglog.PatLen(ele)
		if hyperloglog.WouldRaise(b, index, count) {
			return true
		}
	}
	return false
}

// PFCOUNT key [key ...]
func cmdPfcount(s *Session, args [][]byte) {
	if len(args) > 2 {
		var regs [hyperloglog.Registers]uint8
		for _, key := range args[1:] {
			v, found, ok := s.lookupHLL(key, false)
			if !ok {
				return
			}
			if !found {
				continue
			}
			if hyperloglog.Merge(&regs, stringToBytes(v)) != nil {
				s.w.Error(errHLLCorrupt)
				return
			}
		}
		s.w.Int(int64(hyperloglog.CountRegisters(&regs)))
		return
	}
	key := args[1]
	v, found, ok := s.lookupHLL(key, false)
	if !ok {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	if card, valid := hyperloglog.CachedCard(stringToBytes(v)); valid {
		s.db.markRawValue(tmpString(key), v)
		s.w.Int(int64(card))
		return
	}
	card, err := hyperloglog.Count(stringToBytes(v))
	if err != nil {
		s.w.Error(errHLLCorrupt)
		return
	}
	// The cache lives in the value: PFCOUNT writes it like Redis does.
	b := s.writableString(key, v, true, len(v))
	hyperloglog.SetCachedCard(b, card)
	s.storeHLL(key, b)
	s.w.Int(int64(card))
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
func cmdPfmerge(s *Session, args [][]byte) {
	var regs [hyperloglog.Registers]uint8
	dense := false
	// The destination is one of the inputs (Redis starts at argv[1]).
	for _, key := range args[1:] {
		v, found, ok := s.lookupHLL(key, false)
		if !ok {
			return
		}
		if !found {
			continue
		}
		b := stringToBytes(v)
		dense = dense || hyperloglog.IsDense(b)
		if hyperloglog.Merge(&regs, b) != nil {
			s.w.Error(errHLLCorrupt)
			return
		}
	}
	dest := args[1]
	cur, found, _ := s.lookupWriteString(dest) // type checked above
	var b []byte
	if !found {
		b = hyperloglog.New()
	} else {
		b = s.writableString(dest, cur, true, len(cur))
	}
	if dense {
		var err error
		if b, err = hyperloglog.ToDense(b); err != nil {
			s.w.Error(errHLLCorrupt)
			return
		}
	}
	sparseMax := s.hllSparseMax()
	for i, v := range regs {
		if v == 0 {
			continue
		}
		// Redis ignores the result here: the sources were checked.
		if nb, _, err := hyperloglog.Set(b, i, v, sparseMax); err == nil {
			b = nb
		}
	}
	hyperloglog.InvalidateCache(b)
	s.storeHLL(dest, b)
	// A merge is a mass add: Redis sends the pfadd event.
	s.notifyEvent(notifyString, "pfadd", dest)
	s.w.OK()
}

// PFDEBUG subcommand key
func cmdPfdebug(s *Session, args [][]byte) {
	sub, key := args[1], args[2]
	cur, found, ok := s.lookupHLL(key, true)
	if !ok {
		return
	}
	if !found {
		s.w.Error("ERR The specified key does not exist")
		return
	}
	b := stringToBytes(cur) // read here; the changes are made in new values
	switch {
	case equalFold(sub, "getreg"):
		if hyperloglog.IsDense(b) {
			s.db.markRaw(tmpString(key))
		} else {
			d, err := hyperloglog.ToDense(b)
			if err != nil {
				s.w.Error(errHLLCorrupt)
				return
			}
			b = d
			s.storeHLL(key, b)
		}
		regs := hyperloglog.DenseRegisters(b)
		s.w.Array(len(regs))
		for _, r := range regs {
			s.w.Int(int64(r))
		}
	case equalFold(sub, "decode"):
		s.db.markRaw(tmpString(key))
		if hyperloglog.IsDense(b) {
			s.w.Error("ERR HLL encoding is not sparse")
			return
		}
		s.w.BulkString(hyperloglog.Decode(b))
	case equalFold(sub, "encoding"):
		s.db.markRaw(tmpString(key))
		if hyperloglog.IsDense(b) {
			s.w.Simple("dense")
		} else {
			s.w.Simple("sparse")
		}
	case equalFold(sub, "todense"):
		if hyperloglog.IsDense(b) {
			s.db.markRaw(tmpString(key))
			s.w.Int(0)
			return
		}
		d, err := hyperloglog.ToDense(b)
		if err != nil {
			s.w.Error(errHLLCorrupt)
			return
		}
		s.storeHLL(key, d)
		s.w.Int(1)
	default:
		s.db.markRaw(tmpString(key))
		s.w.Error("ERR Unknown PFDEBUG subcommand '" + string(sub) + "'")
	}
}

// PFSELFTEST
func cmdPfselftest(s *Session, args [][]byte) {
	if msg := hyperloglog.SelfTest(s.e.rand.Uint64(), s.hllSparseMax()); msg != "" {
		s.w.Error(msg)
		return
	}
	s.w.OK()
}
