package lua

// GoRedis patch: helpers for the hot paths of GoRedis's Lua bridge
// (luabridge), which calls into the VM once per redis.call and once per
// script run.

// NumberValue is n as an LValue, boxed by the state's block allocator (as
// the VM boxes the numbers it computes) instead of one heap object per
// number: redis.call's integer replies are numbers.
func (ls *LState) NumberValue(n LNumber) LValue { return ls.alloc.LNumber2I(n) }

// StringValue is s as an LValue, boxed by the state's block allocator:
// redis.call's bulk replies are strings.
func (ls *LState) StringValue(s LString) LValue { return ls.alloc.LString2I(s) }

// NewFieldTable is a table holding one string key, sized for it (NewTable
// makes room for 32 entries in each part): Redis's status and error
// replies, {ok=...} and {err=...}, are made for every redis.call that
// answers one. value must not be nil. Its k2i is left nil until a second
// key is set: Next finds the one key at keys[0] and, k2i[key] reading 0,
// nothing after it.
func (ls *LState) NewFieldTable(key string, value LValue) *LTable {
	return &LTable{
		Metatable: LNil,
		strdict:   map[string]LValue{key: value},
		keys:      []LValue{ls.alloc.LString2I(LString(key))},
		strVer:    1,
	}
}

// newK2i indexes keys, for a table NewFieldTable made that gets a second
// key.
func newK2i(keys []LValue) map[LValue]int {
	m := make(map[LValue]int, len(keys)+1)
	for i, k := range keys {
		m[k] = i
	}
	return m
}

// ResetArray empties tb for reuse as a fresh array table, keeping its
// array's capacity, when nothing but its array part was ever used: no
// metatable, no hash part (not even emptied: its key order stays), not
// read-only. It reports whether it did; a table it refuses is left as it
// was. (KEYS and ARGV of EVAL: a run's tables are refilled by the next
// run, unless the script changed them beyond their array.)
func (tb *LTable) ResetArray() bool {
	if tb.Metatable != LNil || tb.readonly || tb.keys != nil || len(tb.dict) != 0 || len(tb.strdict) != 0 {
		return false
	}
	clear(tb.array)
	tb.array = tb.array[:0]
	return true
}

// AppendArray appends v to tb's array part (RawSetInt(tb.Len()+1, v) on
// a table without holes).
func (tb *LTable) AppendArray(v LValue) { tb.array = append(tb.array, v) }

// fieldCacheSize is the number of lookups a function's field cache
// remembers, by the position of their instruction.
const fieldCacheSize = 8

// fieldCacheEntry is a lookup of a constant string key: the value found in
// tb at pc, while tb's string keys have not been written since (ver).
type fieldCacheEntry struct {
	pc  int
	tb  *LTable
	ver uint64
	val LValue
}

// getFieldStringCached is getFieldString for the instruction at pc (the
// frame's Pc, past it) of a function of proto, whose key is a constant:
// a field found in the table itself is remembered until the table's
// string keys are written (strVer), so that a loop calling
// redis.call(...) does not look "redis" and "call" up in Go maps each
// time. What is not found in the table itself (nil, __index) is looked up
// every time, as before.
func (ls *LState) getFieldStringCached(proto *FunctionProto, pc int, obj LValue, key string) LValue {
	tb, ok := obj.(*LTable)
	if !ok || tb == nil {
		return ls.getFieldString(obj, key)
	}
	fcs := proto.fieldCache
	if fcs == nil {
		fcs = new([fieldCacheSize]fieldCacheEntry)
		proto.fieldCache = fcs
	}
	fc := &fcs[pc&(fieldCacheSize-1)]
	if fc.tb == tb && fc.pc == pc && fc.ver == tb.strVer {
		return fc.val
	}
	v := tb.RawGetString(key)
	if v == LNil {
		return ls.getFieldString(obj, key)
	}
	*fc = fieldCacheEntry{pc: pc, tb: tb, ver: tb.strVer, val: v}
	return v
}

// arrayTable1 and arrayTable4 are a table and its array part in one
// allocation.
type arrayTable1 struct {
	t LTable
	a [1]LValue
}

type arrayTable4 struct {
	t LTable
	a [4]LValue
}

// CreateArrayTable is CreateTable(n, 0) with a small array part allocated
// together with the table: FCALL makes two tables per call (its keys and
// args), most often of one to four values. The array grows past n as any
// table's does.
func (ls *LState) CreateArrayTable(n int) *LTable {
	switch {
	case n <= 0:
		return &LTable{Metatable: LNil}
	case n == 1:
		x := &arrayTable1{}
		x.t.Metatable, x.t.array = LNil, x.a[:0]
		return &x.t
	case n <= 4:
		x := &arrayTable4{}
		x.t.Metatable, x.t.array = LNil, x.a[:0]
		return &x.t
	}
	return newLTable(n, 0)
}
