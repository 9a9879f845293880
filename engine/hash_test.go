package engine

import (
	"hash/maphash"
	"maps"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hashItems(h *hash) map[string]string {
	out := map[string]string{}
	h.each(func(f, v string) bool {
		out[strings.Clone(f)] = strings.Clone(v)
		return true
	})
	return out
}

func testHashBothForms(t *testing.T, fn func(t *testing.T, h *hash)) {
	t.Run("listpack", func(t *testing.T) { fn(t, &hash{}) })
	t.Run("hashtable", func(t *testing.T) {
		h := &hash{}
		h.convert(maphash.MakeSeed())
		fn(t, h)
	})
}

func TestHashSetGetDel(t *testing.T) {
	testHashBothForms(t, func(t *testing.T, h *hash) {
		assert.True(t, h.set("a", "1"))
		assert.True(t, h.set("b", "22"))
		assert.True(t, h.set("", ""))
		assert.False(t, h.set("a", strings.Repeat("x", 300))) // longer value
		assert.False(t, h.set("a", "3"))                      // shorter again
		assert.Equal(t, 3, h.len())
		v, ok := h.get("a")
		assert.True(t, ok)
		assert.Equal(t, "3", v)
		v, _ = h.get("b")
		assert.Equal(t, "22", v)
		_, ok = h.get("zz")
		assert.False(t, ok)
		assert.True(t, h.has(""))
		assert.Equal(t, map[string]string{"a": "3", "b": "22", "": ""}, hashItems(h))
		assert.True(t, h.del("a"))
		assert.False(t, h.del("a"))
		assert.Equal(t, map[string]string{"b": "22", "": ""}, hashItems(h))
		assert.Len(t, h.pairsView(), 4)
		assert.True(t, h.del("b"))
		assert.True(t, h.del(""))
		assert.Equal(t, 0, h.len())
	})
}

func TestHashListpackKeepsOrder(t *testing.T) {
	h := &hash{}
	for _, f := range []string{"c", "a", "b"} {
		h.set(f, f+f)
	}
	h.set("a", "changed")
	var got []string
	h.each(func(f, v string) bool {
		got = append(got, f+"="+v)
		return true
	})
	assert.Equal(t, []string{"c=cc", "a=changed", "b=bb"}, got)
	assert.Equal(t, "listpack", h.encoding())
	h.convert(maphash.MakeSeed())
	assert.Equal(t, "hashtable", h.encoding())
	assert.Equal(t, map[string]string{"c": "cc", "a": "changed", "b": "bb"}, hashItems(h))
}

func TestHashScanBig(t *testing.T) {
	h := &hash{}
	h.convert(maphash.MakeSeed())
	want := map[string]bool{}
	for i := 0; i < 5000; i++ {
		f := "f" + strconv.Itoa(i)
		h.set(f, "v")
		want[f] = true
	}
	seen := map[string]bool{}
	cursor, calls := uint64(0), 0
	for {
		fields, next := h.scan(cursor, 100)
		for _, f := range fields {
			seen[f] = true
		}
		calls++
		if next == 0 {
			break
		}
		cursor = next
	}
	assert.Equal(t, want, seen)
	assert.Greater(t, calls, 10)
}

// FuzzHash drives both forms and a Go map with the same operations.
func FuzzHash(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 1, 2, 3, 0, 200, 1, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		small, big := &hash{}, &hash{}
		big.convert(maphash.MakeSeed())
		model := map[string]string{}
		for i := 0; i+1 < len(ops); i += 2 {
			field := strconv.Itoa(int(ops[i+1] % 16))
			switch ops[i] % 3 {
			case 0, 1:
				value := strings.Repeat("v", int(ops[i+1])) // lengths cross the 1-byte varint
				_, had := model[field]
				model[field] = value
				require.Equal(t, !had, small.set(field, value))
				require.Equal(t, !had, big.set(field, value))
			case 2:
				_, had := model[field]
				delete(model, field)
				require.Equal(t, had, small.del(field))
				require.Equal(t, had, big.del(field))
			}
			for _, h := range []*hash{small, big} {
				require.Equal(t, len(model), h.len())
				require.Equal(t, model, hashItems(h))
			}
		}
	})
}

// TestHashMemory logs what a 10-field hash costs per field/value pair, in
// the structure alone and in the whole keyspace (key, map entry, object),
// next to Redis's MEMORY USAGE when a real server is given.
func TestHashMemory(t *testing.T) {
	const fields = 10
	h := &hash{}
	for i := 0; i < fields; i++ {
		h.set("field:"+strconv.Itoa(i), "value:"+strconv.Itoa(i))
	}
	structBytes := int(unsafe.Sizeof(*h)) + cap(h.lp)
	t.Logf("10-field hash (field:N/value:N): %d bytes of structure, %.1f bytes per pair", structBytes, float64(structBytes)/fields)
	assert.LessOrEqual(t, structBytes/fields, 24)

	e, _ := testEngine(t)
	c := newClient(t, e)
	const keys = 2000
	args := []string{"HSET", ""}
	for i := 0; i < fields; i++ {
		args = append(args, "field:"+strconv.Itoa(i), "value:"+strconv.Itoa(i))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	for k := 0; k < keys; k++ {
		args[1] = "hash:" + strconv.Itoa(k)
		c.do(args...)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perKey := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / keys
	t.Logf("in the keyspace (key name, map entry, object): %.0f bytes per hash, %.1f bytes per pair", perKey, perKey/fields)
	runtime.KeepAlive(e)

	if addr := os.Getenv("GOREDIS_DIFF_ADDR"); addr != "" {
		r := dialReal(t, addr)
		r.do("FLUSHALL")
		args[1] = "hash:0"
		r.do(args...)
		usage := strings.TrimSpace(strings.TrimPrefix(r.do("MEMORY", "USAGE", "hash:0"), ":"))
		n, _ := strconv.Atoi(usage)
		t.Logf("Redis listpack, MEMORY USAGE: %d bytes per hash, %.1f bytes per pair", n, float64(n)/fields)
	}
}

func TestHashItemsHelper(t *testing.T) {
	h := &hash{}
	h.set("x", "y")
	assert.True(t, maps.Equal(map[string]string{"x": "y"}, hashItems(h)))
}
