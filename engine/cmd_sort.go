package engine

import (
	"math"
	"slices"
	"strings"
)

func sortHandlers() []handlerEntry {
	return []handlerEntry{
		{"sort", cmdSort},
		{"sort_ro", cmdSortRO},
	}
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
// [ASC | DESC] [ALPHA] [STORE destination]
func cmdSort(s *Session, args [][]byte) { sortGeneric(s, args, false) }

// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
// [ASC | DESC] [ALPHA]
func cmdSortRO(s *Session, args [][]byte) { sortGeneric(s, args, true) }

// sortItem is one element being sorted with its sort key.
type sortItem struct {
	v      string
	score  float64
	cmp    string
	hasCmp bool
}

// sortGeneric follows Redis's sortCommandGeneric step by step: parse,
// load the elements, compute the sort keys, sort, then reply or store.
func sortGeneric(s *Session, args [][]byte, readonly bool) {
	var (
		desc, alpha, dontsort bool
		limitStart            int64
		limitCount            int64 = -1
		by, store             []byte
		gets                  [][]byte
	)
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case equalFold(a, "asc"):
			desc = false
		case equalFold(a, "desc"):
			desc = true
		case equalFold(a, "alpha"):
			alpha = true
		case equalFold(a, "limit") && left >= 2:
			var err error
			if limitStart, err = intArg(args[j+1]); err == nil {
				limitCount, err = intArg(args[j+2])
			}
			if err != nil {
				s.w.Error(err.Error())
				return
			}
			j += 2
		case !readonly && equalFold(a, "store") && left >= 1:
			store = args[j+1]
			j++
		case equalFold(a, "by") && left >= 1:
			by = args[j+1]
			// a BY pattern without '*' means "don't sort"
			dontsort = !strings.Contains(string(by), "*")
			if !dontsort && !s.aclReadsAllKeys(args) {
				s.w.Error("ERR BY option of SORT denied due to insufficient ACL permissions.")
				return
			}
			j++
		case equalFold(a, "get") && left >= 1:
			if !s.aclReadsAllKeys(args) {
				s.w.Error("ERR GET option of SORT denied due to insufficient ACL permissions.")
				return
			}
			gets = append(gets, args[j+1])
			j++
		default:
			s.w.Error(errSyntax)
			return
		}
	}

	_, obj, found := s.lookupRead(args[1])
	var (
		lst  sortList
		st   *setObj
		zs   *zset
		size int
	)
	if found {
		switch v := obj.(type) {
		case *setObj:
			st, size = v, v.len()
		case *zset:
			zs, size = v, v.len()
		case sortList:
			lst, size = v, v.len()
		default:
			s.w.Error(errWrongType)
			return
		}
	}
	if dontsort && st != nil && (store != nil || s.script != nil) {
		// a set's order is arbitrary: sort it so the stored list, and
		// what a script sees, is stable (Redis's CLIENT_SCRIPT case)
		dontsort, alpha, by = false, true, nil
	}

	// Redis computes start+count-1 in C, where the compiler's arithmetic
	// saturates in effect; capping count at size keeps Go's from
	// wrapping (LIMIT 2 9223372036854775807 means "to the end").
	start := min(max(limitStart, 0), int64(size))
	end := int64(size - 1)
	if limitCount >= 0 {
		end = start + min(limitCount, int64(size)) - 1
	}
	if start >= int64(size) {
		start, end = int64(size-1), int64(size-2)
	}
	end = min(end, int64(size-1))

	var items []sortItem
	ordered := (lst != nil || zs != nil) && dontsort
	switch {
	case ordered:
		// native order (reversed by DESC), LIMIT applied while loading
		if end >= start {
			n := int(end - start + 1)
			items = make([]sortItem, 0, n)
			if lst != nil {
				for i := 0; i < n; i++ {
					idx := int(start) + i
					if desc {
						idx = size - 1 - idx
					}
					items = append(items, sortItem{v: lst.at(idx)})
				}
			} else {
				from := int(start)
				if desc {
					from = size - 1 - int(start)
				}
				zs.walk(from, n, desc, func(m string, _ float64) { items = append(items, sortItem{v: m}) })
			}
			end -= start
			start = 0
		}
	case lst != nil:
		items = make([]sortItem, size)
		for i := range items {
			items[i].v = lst.at(i)
		}
	case st != nil:
		items = make([]sortItem, 0, size)
		st.each(func(m string) bool { items = append(items, sortItem{v: m}); return true })
	case zs != nil:
		items = make([]sortItem, 0, size)
		zs.walk(0, size, false, func(m string, _ float64) { items = append(items, sortItem{v: m}) })
	}

	convErr := false
	if !dontsort {
		for i := range items {
			it := &items[i]
			byval, ok := it.v, true
			if by != nil {
				byval, ok = s.sortLookup(by, it.v)
				if !ok {
					continue
				}
			}
			if alpha {
				if by != nil {
					it.cmp, it.hasCmp = byval, true
				}
				continue
			}
			f, ok := sortScore(byval)
			if !ok {
				convErr = true
			}
			it.score = f
		}
		cmp := func(a, b *sortItem) int {
			var c int
			switch {
			case !alpha:
				switch {
				case a.score > b.score:
					c = 1
				case a.score < b.score:
					c = -1
				default:
					c = strings.Compare(a.v, b.v)
				}
			case by != nil:
				switch {
				case !a.hasCmp || !b.hasCmp:
					switch {
					case a.hasCmp == b.hasCmp:
						c = 0
					case !a.hasCmp:
						c = -1
					default:
						c = 1
					}
				default:
					c = strings.Compare(a.cmp, b.cmp)
				}
			default:
				c = strings.Compare(a.v, b.v)
			}
			if desc {
				return -c
			}
			return c
		}
		slices.SortStableFunc(items, func(a, b sortItem) int { return cmp(&a, &b) })
	}

	if convErr {
		s.w.Error("ERR One or more scores can't be converted into double")
		return
	}
	n := int(end - start + 1)
	if n < 0 {
		n = 0
	}
	var out = items[:0:0]
	if n > 0 {
		out = items[start : start+int64(n)]
	}
	if store == nil {
		if len(gets) == 0 {
			s.w.Array(len(out))
			for _, it := range out {
				s.w.BulkString(it.v)
			}
			return
		}
		s.w.Array(len(out) * len(gets))
		for _, it := range out {
			for _, g := range gets {
				if v, ok := s.sortLookup(g, it.v); ok {
					s.w.BulkString(v)
				} else {
					s.w.Null()
				}
			}
		}
		return
	}
	var vals []string
	for _, it := range out {
		if len(gets) == 0 {
			vals = append(vals, it.v)
			continue
		}
		for _, g := range gets {
			v, _ := s.sortLookup(g, it.v)
			vals = append(vals, v)
		}
	}
	if len(vals) > 0 {
		l := &list{}
		for _, v := range vals {
			l.pushBack(v)
		}
		s.setObj(store, l)
		s.notifyEvent(notifyList, "sortstore", store)
	} else if s.exists(store) && s.deleteKey(store) {
		s.notifyEvent(notifyGeneric, "del", store)
	}
	s.w.Int(int64(len(vals)))
}

// sortList is what SORT reads from a list value.
type sortList interface {
	object
	len() int
	at(i int) string
}

// sortHash is what SORT reads from a hash value ("pattern->field").
type sortHash interface {
	object
	get(field string) (string, bool)
}

// sortLookup resolves a BY or GET pattern for element v, as Redis's
// lookupKeyByPattern: "#" is the element itself; the first '*' is replaced
// by v; "key->field" reads a hash field; otherwise the key must hold a
// string. A pattern without '*' finds nothing.
func (s *Session) sortLookup(pattern []byte, v string) (string, bool) {
	p := string(pattern)
	if p == "#" {
		return v, true
	}
	star := strings.IndexByte(p, '*')
	if star < 0 {
		return "", false
	}
	key := p
	field := ""
	hasField := false
	if f := strings.Index(p[star+1:], "->"); f >= 0 && star+1+f+2 < len(p) {
		field = p[star+1+f+2:]
		key = p[:star+1+f]
		hasField = true
	}
	key = key[:star] + v + key[star+1:]
	str, obj, found := s.lookup([]byte(key))
	if !found {
		return "", false
	}
	if hasField {
		h, ok := obj.(sortHash)
		if !ok {
			return "", false
		}
		return h.get(field)
	}
	if obj != nil {
		return "", false
	}
	return str, true
}

// sortScore reads a numeric sort key as SORT's strtod check does: the
// whole string, no overflow or underflow, no NaN; "" counts as 0. (Redis
// does not clear errno first, so after one range error its later SORTs
// fail too until errno changes; that accident is not copied.)
func sortScore(v string) (float64, bool) {
	if v == "" {
		return 0, true
	}
	f, ok, erange := strtod(v)
	if !ok || erange || math.IsNaN(f) {
		return f, false
	}
	return f, true
}
