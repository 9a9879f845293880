package engine

// Bitmap commands (Redis's bitops.c). Bitmaps are ordinary string values:
// GET, SETRANGE, APPEND, DUMP and persistence see the same bytes as in
// Redis. Writes change the value's bytes in place while nothing else holds
// them, else a copy (strbuf.go); reads keep nothing of them.

func bitmapHandlers() []handlerEntry {
	return []handlerEntry{
		{"setbit", cmdSetbit},
		{"getbit", cmdGetbit},
		{"bitcount", cmdBitcount},
		{"bitpos", cmdBitpos},
		{"bitop", cmdBitop},
		{"bitfield", cmdBitfield},
		{"bitfield_ro", cmdBitfieldRO},
	}
}

const (
	errBitOffset    = "ERR bit offset is not an integer or out of range"
	errBitValue     = "ERR bit is not an integer or out of range"
	errBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
)

// parseBitOffset is Redis's getBitOffsetFromArgument: a non-negative
// offset whose byte lies within proto-max-bulk-len. With width > 0 the
// "#N" form means N*width (BITFIELD).
func (s *Session) parseBitOffset(arg []byte, width int) (uint64, bool) {
	useHash := width > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	n, ok := parseInt(arg)
	if ok && useHash {
		n *= int64(width) // wraps like C's signed multiply; negative is refused below
	}
	if !ok || n < 0 || n>>3 >= s.e.config.int("proto-max-bulk-len") {
		return 0, false
	}
	return uint64(n), true
}

// refuseSandboxGrowth keeps a sandboxed session from growing one value past
// its whole keyspace quota: the quota check before the command sees only
// the arguments, and SETBIT's few bytes can ask for 512 MB.
func (s *Session) refuseSandboxGrowth(newLen uint64) bool {
	if s.sandbox == nil || s.sandbox.limits.MaxBytes <= 0 || newLen <= uint64(s.sandbox.limits.MaxBytes) {
		return false
	}
	s.w.Error("ERR sandbox quota: keyspace larger than " + itoa(s.sandbox.limits.MaxBytes) + " bytes")
	return true
}

// bitmapForWrite is Redis's lookupStringForBitCommand: key's string value
// copied into a buffer zero-padded so that bit maxBit exists. grown reports
// a new key or a longer value. It writes WRONGTYPE and returns ok = false
// for another type.
func (s *Session) bitmapForWrite(key []byte, maxBit uint64) (buf []byte, found, grown, ok bool) {
	cur, found, bad := s.lookupWriteString(key)
	if bad {
		return nil, found, false, false
	}
	need := int(maxBit>>3) + 1
	if need > len(cur) && s.refuseSandboxGrowth(uint64(need)) {
		return nil, found, false, false
	}
	buf = s.writableString(key, cur, found, need)
	return buf, found, !found || need > len(cur), true
}

// storeBitmap stores a bitmap written by a bit command, keeping the
// deadline, as a raw string (Redis unshares the sds it writes into).
func (s *Session) storeBitmap(key []byte, buf []byte) {
	s.storeOwned(key, buf, true, true)
}

// SETBIT key offset value
func cmdSetbit(s *Session, args [][]byte) {
	key := args[1]
	offset, ok := s.parseBitOffset(args[2], 0)
	if !ok {
		s.w.Error(errBitOffset)
		return
	}
	on, ok := parseInt(args[3])
	if !ok || on&^1 != 0 {
		s.w.Error(errBitValue)
		return
	}
	cur, found, bad := s.lookupWriteString(key)
	if bad {
		return
	}
	byteIdx, shift := offset>>3, 7-offset&7
	old := int64(0)
	if byteIdx < uint64(len(cur)) {
		old = int64(cur[byteIdx] >> shift & 1)
	}
	if found && byteIdx < uint64(len(cur)) && old == on {
		// Nothing changes; Redis still unshares the value (raw from now on).
		s.db.markRawValue(tmpString(key), cur)
		s.w.Int(old)
		return
	}
	if byteIdx >= uint64(len(cur)) && s.refuseSandboxGrowth(byteIdx+1) {
		return
	}
	buf := s.writableString(key, cur, found, int(max(uint64(len(cur)), byteIdx+1)))
	buf[byteIdx] = buf[byteIdx]&^(1<<shift) | byte(on)<<shift
	s.storeBitmap(key, buf)
	s.notifyEvent(notifyString, "setbit", key)
	s.w.Int(old)
}

// GETBIT key offset
func cmdGetbit(s *Session, args [][]byte) {
	offset, ok := s.parseBitOffset(args[2], 0)
	if !ok {
		s.w.Error(errBitOffset)
		return
	}
	v, _, bad := s.peekString(args[1])
	if bad {
		return
	}
	if byteIdx := offset >> 3; byteIdx < uint64(len(v)) {
		s.w.Int(int64(v[byteIdx] >> (7 - offset&7) & 1))
		return
	}
	s.w.Int(0)
}

// bitRange is a BITCOUNT/BITPOS range resolved to bytes [start, end], with
// masks of the bits outside a BIT range in its first and last byte.
type bitRange struct {
	start, end         int64
	firstMask, lastMsk byte
}

// resolveBitRange converts start and end (negative from the end; in bits
// when isBit) against a string of strlen bytes, as bitcountCommand does.
func resolveBitRange(start, end, strlen int64, isBit bool) bitRange {
	total := strlen
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	r := bitRange{start: start, end: end}
	if isBit && start <= end {
		r.firstMask = ^byte(1<<(8-start&7) - 1)
		r.lastMsk = byte(1<<(7-end&7) - 1)
		r.start, r.end = start>>3, end>>3
	}
	return r
}

// parseBitUnit reads the optional BYTE|BIT argument.
func parseBitUnit(arg []byte) (isBit, ok bool) {
	switch {
	case equalFold(arg, "bit"):
		return true, true
	case equalFold(arg, "byte"):
		return false, true
	}
	return false, false
}

// BITCOUNT key [start end [BYTE | BIT]]
func cmdBitcount(s *Session, args [][]byte) {
	v, found, bad := s.peekString(args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	p := stringToBytes(v)
	var r bitRange
	switch len(args) {
	case 4, 5:
		start, ok1 := parseInt(args[2])
		if !ok1 {
			s.w.Error(errNotInt)
			return
		}
		end, ok2 := parseInt(args[3])
		if !ok2 {
			s.w.Error(errNotInt)
			return
		}
		if start < 0 && end < 0 && start > end {
			s.w.Int(0)
			return
		}
		isBit := false
		if len(args) == 5 {
			var ok bool
			if isBit, ok = parseBitUnit(args[4]); !ok {
				s.w.Error(errSyntax)
				return
			}
		}
		r = resolveBitRange(start, end, int64(len(p)), isBit)
	case 2:
		r = bitRange{start: 0, end: int64(len(p)) - 1}
	default:
		s.w.Error(errSyntax)
		return
	}
	if r.start > r.end {
		s.w.Int(0)
		return
	}
	n := popcount(p[r.start : r.end+1])
	n -= popcount([]byte{p[r.start] & r.firstMask, p[r.end] & r.lastMsk})
	s.w.Int(n)
}

// BITPOS key bit [start [end [BYTE | BIT]]]
func cmdBitpos(s *Session, args [][]byte) {
	bit, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	if bit != 0 && bit != 1 {
		s.w.Error("ERR The bit argument must be 1 or 0.")
		return
	}
	v, found, bad := s.peekString(args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(-bit) // no key: an endless run of zeros
		return
	}
	p := stringToBytes(v)
	total := int64(len(p))
	endGiven := false
	var r bitRange
	switch len(args) {
	case 4, 5, 6:
		start, ok := parseInt(args[3])
		if !ok {
			s.w.Error(errNotInt)
			return
		}
		isBit := false
		if len(args) == 6 {
			if isBit, ok = parseBitUnit(args[5]); !ok {
				s.w.Error(errSyntax)
				return
			}
		}
		var end int64
		if len(args) >= 5 {
			if end, ok = parseInt(args[4]); !ok {
				s.w.Error(errNotInt)
				return
			}
			endGiven = true
		} else if isBit {
			end = total<<3 + 7
		} else {
			end = total - 1
		}
		r = resolveBitRange(start, end, total, isBit)
	case 3:
		r = bitRange{start: 0, end: total - 1}
	default:
		s.w.Error(errSyntax)
		return
	}
	if r.start > r.end {
		s.w.Int(-1)
		return
	}
	pos, bytes, at := bitposInRange(p, r, int(bit))
	if endGiven && bit == 0 && pos == bytes<<3 {
		// An explicit end: the bits right of the range are not zeros.
		s.w.Int(-1)
		return
	}
	if pos != -1 {
		pos += at << 3
	}
	s.w.Int(pos)
}

// bitposInRange is bitposCommand's search within a resolved range: the
// position relative to byte at (r.start as the search advanced), and the
// bytes left from there, as Redis computes them.
func bitposInRange(p []byte, r bitRange, bit int) (pos, bytes, at int64) {
	bytes = r.end - r.start + 1
	masked := func(c, mask byte) byte {
		if bit == 1 {
			return c &^ mask
		}
		return c | mask
	}
	if r.firstMask != 0 {
		c := masked(p[r.start], r.firstMask)
		if r.lastMsk != 0 && bytes == 1 {
			c = masked(c, r.lastMsk)
		}
		pos = bitpos([]byte{c}, bit)
		if bytes == 1 || (pos != -1 && pos != 8) {
			return pos, bytes, r.start
		}
		r.start++
		bytes--
	}
	cur := bytes
	if r.lastMsk != 0 {
		cur--
	}
	if cur > 0 {
		pos = bitpos(p[r.start:r.start+cur], bit)
		if bytes == cur || (pos != -1 && pos != cur<<3) {
			return pos, bytes, r.start
		}
		r.start += cur
		bytes -= cur
	}
	pos = bitpos([]byte{masked(p[r.end], r.lastMsk)}, bit)
	return pos, bytes, r.start
}

// BITOP <AND | OR | XOR | NOT> destkey key [key ...]
func cmdBitop(s *Session, args [][]byte) {
	var op string
	for _, name := range []string{"and", "or", "xor", "not"} {
		if equalFold(args[1], name) {
			op = name
		}
	}
	if op == "" {
		s.w.Error(errSyntax)
		return
	}
	if op == "not" && len(args) != 4 {
		s.w.Error("ERR BITOP NOT must be called with a single source key.")
		return
	}
	srcs := make([][]byte, 0, len(args)-3)
	maxLen := 0
	for _, key := range args[3:] {
		// The sources are read during the command only.
		v, _, bad := s.peekString(key)
		if bad {
			return
		}
		srcs = append(srcs, stringToBytes(v))
		maxLen = max(maxLen, len(v))
	}
	dest := args[2]
	if maxLen == 0 {
		if s.deleteKey(dest) {
			s.notifyEvent(notifyGeneric, "del", dest)
		}
		s.w.Int(0)
		return
	}
	// The destination's own buffer when it is unshared and of a fitting
	// size: the result is computed into it (word by word, so a source that
	// is the destination is read at each word before it is written).
	var res []byte
	if maxLen > packedValueMax {
		res = s.reusableString(dest, maxLen)
	} else {
		res = make([]byte, maxLen)
	}
	bitopApply(op, res, srcs)
	// Redis stores BITOP's result as made (createObject): raw, whatever
	// its length or contents.
	s.storeOwned(dest, res, false, true)
	s.notifyEvent(notifyString, "set", dest)
	s.w.Int(int64(maxLen))
}

// bitfieldOp is one GET, SET or INCRBY of a BITFIELD command.
type bitfieldOp struct {
	offset uint64
	value  int64 // SET value or INCRBY increment
	kind   byte  // 'g', 's', 'i'
	policy int   // overflow policy in force
	width  int
	signed bool
}

// parseBitfieldType reads i1..i64 or u1..u63.
func parseBitfieldType(arg []byte) (width int, signed, ok bool) {
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		return 0, false, false
	}
	signed = arg[0] == 'i'
	n, ok := parseInt(arg[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return 0, false, false
	}
	return int(n), signed, true
}

// parseBitfield parses BITFIELD's subcommands (args after the key) into
// operations, or returns the exact Redis error.
func (s *Session) parseBitfield(args [][]byte) ([]bitfieldOp, string) {
	var ops []bitfieldOp
	policy := overflowWrap
	for j := 0; j < len(args); j++ {
		rem := len(args) - j - 1
		var kind byte
		switch sub := args[j]; {
		case equalFold(sub, "get") && rem >= 2:
			kind = 'g'
		case equalFold(sub, "set") && rem >= 3:
			kind = 's'
		case equalFold(sub, "incrby") && rem >= 3:
			kind = 'i'
		case equalFold(sub, "overflow") && rem >= 1:
			j++
			switch {
			case equalFold(args[j], "wrap"):
				policy = overflowWrap
			case equalFold(args[j], "sat"):
				policy = overflowSat
			case equalFold(args[j], "fail"):
				policy = overflowFail
			default:
				return nil, "ERR Invalid OVERFLOW type specified"
			}
			continue
		default:
			return nil, errSyntax
		}
		width, signed, ok := parseBitfieldType(args[j+1])
		if !ok {
			return nil, errBitfieldType
		}
		offset, ok := s.parseBitOffset(args[j+2], width)
		if !ok {
			return nil, errBitOffset
		}
		op := bitfieldOp{offset: offset, kind: kind, policy: policy, width: width, signed: signed}
		if kind != 'g' {
			if op.value, ok = parseInt(args[j+3]); !ok {
				return nil, errNotInt
			}
			j += 3
		} else {
			j += 2
		}
		ops = append(ops, op)
	}
	return ops, ""
}

// BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>]
// <SET encoding offset value | INCRBY encoding offset increment> ...]
func cmdBitfield(s *Session, args [][]byte) { bitfieldGeneric(s, args, false) }

// BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]
func cmdBitfieldRO(s *Session, args [][]byte) { bitfieldGeneric(s, args, true) }

func bitfieldGeneric(s *Session, args [][]byte, readonly bool) {
	key := args[1]
	ops, errMsg := s.parseBitfield(args[2:])
	if errMsg != "" {
		s.w.Error(errMsg)
		return
	}
	writes := false
	var highest uint64
	for _, op := range ops {
		if op.kind != 'g' {
			writes = true
			highest = max(highest, op.offset+uint64(op.width)-1)
		}
	}
	var buf []byte
	var grown bool
	if !writes {
		v, _, bad := s.peekString(key)
		if bad {
			return
		}
		buf = stringToBytes(v)
	} else {
		if readonly {
			s.w.Error("ERR BITFIELD_RO only supports the GET subcommand")
			return
		}
		var ok bool
		if buf, _, grown, ok = s.bitmapForWrite(key, highest); !ok {
			return
		}
	}
	s.w.Array(len(ops))
	changes := 0
	for _, op := range ops {
		if op.kind == 'g' {
			// Read from a zero-padded copy of the up to 9 bytes touched.
			var window [9]byte
			first := op.offset >> 3
			if first < uint64(len(buf)) {
				copy(window[:], buf[first:])
			}
			rel := op.offset - first*8
			if op.signed {
				s.w.Int(getSignedBitfield(window[:], rel, op.width))
			} else {
				s.w.Int(int64(getUnsignedBitfield(window[:], rel, op.width)))
			}
			continue
		}
		if op.signed {
			old := getSignedBitfield(buf, op.offset, op.width)
			var next, reply int64
			var overflow bool
			var wrapped int64
			if op.kind == 'i' {
				overflow, wrapped = signedFieldOverflow(old, op.value, op.width, op.policy)
				next = old + op.value
				if overflow {
					next = wrapped
				}
				reply = next
			} else {
				next = op.value
				if overflow, wrapped = signedFieldOverflow(next, 0, op.width, op.policy); overflow {
					next = wrapped
				}
				reply = old
			}
			if overflow && op.policy == overflowFail {
				s.w.Null()
				continue
			}
			s.w.Int(reply)
			setUnsignedBitfield(buf, op.offset, op.width, uint64(next))
			if grown || old != next {
				changes++
			}
			continue
		}
		old := getUnsignedBitfield(buf, op.offset, op.width)
		var next, reply uint64
		var overflow bool
		var wrapped uint64
		if op.kind == 'i' {
			next = old + uint64(op.value)
			if overflow, wrapped = unsignedFieldOverflow(old, op.value, op.width, op.policy); overflow {
				next = wrapped
			}
			reply = next
		} else {
			next = uint64(op.value)
			if overflow, wrapped = unsignedFieldOverflow(next, 0, op.width, op.policy); overflow {
				next = wrapped
			}
			reply = old
		}
		if overflow && op.policy == overflowFail {
			s.w.Null()
			continue
		}
		s.w.Int(int64(reply))
		setUnsignedBitfield(buf, op.offset, op.width, next)
		if grown || old != next {
			changes++
		}
	}
	if !writes {
		return
	}
	switch {
	case changes > 0:
		s.storeBitmap(key, buf)
		s.e.persist.dirty += int64(changes - 1) // Redis counts every changed field
		s.notifyEvent(notifyString, "setbit", key)
	case grown:
		// Every write failed, yet Redis has already grown (or created)
		// the value.
		s.storeBitmap(key, buf)
	default:
		s.db.markRaw(tmpString(key))
	}
}
