package lua

// GoRedis patch: helpers for the hot paths of GoRedis's Lua bridge
// (luabridge), which calls into the VM once per redis.call and once per
// script run.

// NumberValue is n as an LValue, boxed by the state's block allocator (as
// the VM boxes the numbers it computes) instead of one heap object per
// number: redis.call's integer replies are numbers.
func (ls *LState) NumberValue(n LNumber) LValue { return ls.alloc.LNumber2I(n) }

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
