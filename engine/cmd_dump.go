package engine

import (
	"math"

	"github.com/goredis-dev/goredis/rdb"
)

// DUMP and RESTORE: a key's value in Redis's serialization format (see
// rdb.go), so a value moves between GoRedis and Redis in either direction.

func dumpHandlers() []handlerEntry {
	return []handlerEntry{
		{"dump", cmdDump},
		{"restore", cmdRestore},
		{"restore-asking", cmdRestore},
		{"migrate", cmdMigrate},
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
	return rdb.AppendDumpFooter(s.e.encoder().appendValue(nil, str, obj))
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
	if !rdb.VerifyDumpPayload(payload, s.e.skipChecksum) {
		s.w.Error(errDumpPayload)
		return
	}
	// Redis reads the value from the whole payload, footer included: a
	// length that runs into the footer is read from it.
	str, obj, err := s.restoreObject(payload)
	if err != nil {
		s.w.Error(errBadDataFormat)
		return
	}
	deleted := replace && s.deleteKey(key)
	if ttl > 0 && !absTTL {
		ttl += s.e.nowMs
	}
	if ttl > 0 && s.e.alreadyExpired(ttl) {
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
	// As Redis's objectSetLRUOrLFU: IDLETIME back-dates the key's access
	// time unless the policy is LFU, FREQ sets its counter under an LFU one.
	lfu := s.e.config.mm.lfu()
	wtime, hasWtime := uint32(0), false
	switch {
	case lfu && freq >= 0:
		wtime, hasWtime = lfuValue(freq, s.e.nowMs), true
	case !lfu && idle >= 0:
		wtime, hasWtime = uint32(max(s.e.nowMs/1000-idle, 0)), true
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
