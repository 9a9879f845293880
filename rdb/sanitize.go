package rdb

import (
	"encoding/binary"
	"errors"
)

// Integrity checks of RESTORE payloads and loaded files, as Redis 7.0's
// deep sanitization (sanitize-dump-payload yes): a packed container's
// header agrees with its entries (sizes, counts, the ziplist's tail
// offset), every entry's back-link (a ziplist's prevlen, a listpack's
// backlen) matches the entry before it, and a collection holds no
// duplicates. GoRedis decodes every value in full to build its own
// structures, so it applies these checks whatever the setting: a corrupt
// payload is refused, never stored half-read.

// CorruptError is a payload that failed an integrity check. Reason is
// Redis's words for it (rdbReportCorruptRDB), which the server logs.
type CorruptError struct{ Reason string }

func (e *CorruptError) Error() string { return "rdb: corrupt data: " + e.Reason }

// Unwrap makes every CorruptError a corrupt-data error.
func (e *CorruptError) Unwrap() error { return errCorrupt }

// errCorruptUnreported is corrupt data Redis refuses without a reason
// in its log (an empty quicklist node).
var errCorruptUnreported error = &CorruptError{}

// Corrupt returns a CorruptError with Redis's reason text.
func Corrupt(reason string) error { return &CorruptError{Reason: reason} }

// CorruptReason is the reason of a corrupt-data error, "" for other
// errors (a short read, an unsupported type).
func CorruptReason(err error) string {
	var ce *CorruptError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return ""
}

// integrityReason is what Redis reports when a container of type t fails
// its integrity check.
func integrityReason(t byte) string {
	switch t {
	case TypeListZiplist:
		return "List ziplist integrity check failed."
	case TypeListQuicklist:
		return "Ziplist integrity check failed."
	case TypeListQuicklist2:
		return "Listpack integrity check failed."
	case TypeSetIntset:
		return "Intset integrity check failed."
	case TypeHashZipmap:
		return "Zipmap integrity check failed."
	case TypeHashZiplist:
		return "Hash ziplist integrity check failed."
	case TypeHashListpack:
		return "Hash listpack integrity check failed."
	case TypeZsetZiplist:
		return "Zset ziplist integrity check failed."
	case TypeZsetListpack:
		return "Zset listpack integrity check failed."
	case TypeStreamListpacks, TypeStreamListpack2:
		return "Stream listpack integrity check failed."
	}
	return ""
}

// PackedIntegrityReason is integrityReason for the engine's checks of a
// decoded value (duplicates in a packed hash or sorted set); "" for the
// plain encodings, whose duplicates Redis reports in their own words.
func PackedIntegrityReason(t byte) string { return integrityReason(t) }

// withReason gives a container's corrupt-data error the reason Redis
// reports for its type.
func withReason(t byte, err error) error {
	var ce *CorruptError
	if err == nil || errors.As(err, &ce) || !errors.Is(err, errCorrupt) {
		return err
	}
	if r := integrityReason(t); r != "" {
		return Corrupt(r)
	}
	return err
}

// listpackBacklenOK reports whether b starts with the back-link of an
// entry of size entry (Redis's lpValidateNext).
func listpackBacklenOK(b []byte, entry int) bool {
	var want [5]byte
	enc := AppendListpackBacklen(want[:0], entry)
	return len(b) >= len(enc) && string(b[:len(enc)]) == string(enc)
}

// ziplistPrevlen reads the prevlen field of the entry at i: the previous
// entry's size, in 1 byte, or 5 (0xFE and 4 bytes).
func ziplistPrevlen(zl []byte, i int) (prevlen, size int, ok bool) {
	if zl[i] < 0xfe {
		return int(zl[i]), 1, true
	}
	if zl[i] != 0xfe || i+5 > len(zl)-1 {
		return 0, 0, false
	}
	return int(binary.LittleEndian.Uint32(zl[i+1:])), 5, true
}

// ziplistHeaderOK checks a ziplist's tail offset (the last entry's start,
// or the header's end when empty) and its entry count (65535: too many to
// count in the header).
func ziplistHeaderOK(zl []byte, count, lastStart int) bool {
	const headerSize = 10
	if count == 0 {
		lastStart = headerSize
	}
	if int(binary.LittleEndian.Uint32(zl[4:])) != lastStart {
		return false
	}
	declared := int(binary.LittleEndian.Uint16(zl[8:]))
	return declared == 65535 || declared == count
}
