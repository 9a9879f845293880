package engine

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/goredis-dev/goredis/rdb"
	"github.com/stretchr/testify/require"
)

// The copy-on-write discipline of mutable string values (strbuf.go):
// writes change a value in place only while nothing else holds its bytes.
// These tests hold the bytes in each way the engine lets them out (a
// reply queued by reference, a snapshot, COPY, DUMP, RENAME/MOVE/SWAPDB)
// and check that no later write shows through; run with -race, the
// readers in other goroutines also prove that nobody writes what they read.

// storedPtr is the address of key's stored string bytes in db 0.
func storedPtr(t *testing.T, e *Engine, key string) *byte {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.main.dbs[0].strs.get(key)
	require.True(t, ok, key)
	return unsafe.StringData(v.v)
}

// getValue reads key's value with GET (which keeps it: it is shared
// from then on when large).
func getValue(t *testing.T, c *client, key string) string {
	t.Helper()
	out := c.do("GET", key)
	i := strings.Index(out, "\r\n")
	require.Positive(t, i, out)
	return out[i+2 : len(out)-2]
}

func TestOwnedStringWrittenInPlace(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.do("SETBIT", "bm", "100000", "1") // 12501 bytes
	p := storedPtr(t, e, "bm")
	for _, cmd := range [][]string{
		{"SETBIT", "bm", "7", "1"},
		{"SETRANGE", "bm", "10", "abc"},
		{"BITFIELD", "bm", "INCRBY", "u8", "800", "5", "SET", "i16", "#3", "-2"},
		{"GETBIT", "bm", "7"}, {"BITCOUNT", "bm"}, {"BITPOS", "bm", "1"}, {"STRLEN", "bm"},
		{"BITFIELD_RO", "bm", "GET", "u8", "0"},
		{"EXISTS", "bm"}, {"TYPE", "bm"}, {"GETRANGE", "bm", "0", "-1"},
		{"GET", "bm"}, {"MGET", "bm", "x"}, // shorter than a reply queued by reference: copied

		{"SETBIT", "bm", "3", "1"},
	} {
		c.do(cmd...)
		require.Same(t, p, storedPtr(t, e, "bm"), "%v copied the value", cmd)
	}
	// A short value is copied on each write: no bookkeeping for it.
	c.do("SETBIT", "small", "800", "1")
	c.do("SETBIT", "small", "801", "1")
	e.mu.Lock()
	_, owned := e.main.dbs[0].owned["small"]
	e.mu.Unlock()
	require.False(t, owned)
	require.Equal(t, ":2\r\n", c.do("BITCOUNT", "small"))

	// Growth within the room left by the first growth, as sds.
	c.do("SETBIT", "bm", "100001", "1")
	c.do("APPEND", "bm", "xyz")
	p = storedPtr(t, e, "bm")
	c.do("APPEND", "bm", "more")
	require.Same(t, p, storedPtr(t, e, "bm"), "APPEND with room copied")

	// A dense HyperLogLog takes new registers in place; PFCOUNT caches its
	// estimate in place.
	args := []string{"PFADD", "hll"}
	for i := range 3000 {
		args = append(args, "e"+strconv.Itoa(i))
	}
	c.do(args...)
	require.Equal(t, "+dense\r\n", c.do("PFDEBUG", "ENCODING", "hll"))
	p = storedPtr(t, e, "hll")
	for i := range 200 {
		c.do("PFADD", "hll", "x"+strconv.Itoa(i))
		require.Same(t, p, storedPtr(t, e, "hll"))
	}
	c.do("PFCOUNT", "hll")
	c.do("PFMERGE", "hll", "hll")
	require.Same(t, p, storedPtr(t, e, "hll"))

	// BITOP reuses its destination's buffer of the same size, also when the
	// destination is a source.
	c.do("SETRANGE", "a", "0", strings.Repeat("\xf0", 4096))
	c.do("SETRANGE", "b", "0", strings.Repeat("\x3c", 4096))
	c.do("BITOP", "AND", "dst", "a", "b")
	p = storedPtr(t, e, "dst")
	c.do("BITOP", "OR", "dst", "a", "b")
	require.Same(t, p, storedPtr(t, e, "dst"))
	c.do("BITOP", "XOR", "dst", "dst", "a")
	require.Same(t, p, storedPtr(t, e, "dst"))
	require.Equal(t, strings.Repeat("\x0c", 4096), getValue(t, c, "dst")) // (f0|3c)^f0
}

func TestOwnedStringPendingReplyKeepsOldBytes(t *testing.T) {
	e, _ := testEngine(t)
	w := newClient(t, e)
	r := newClient(t, e)
	w.do("SETRANGE", "bm", "0", strings.Repeat("a", 20000)) // queued by reference when read
	w.do("SETBIT", "bm", "0", "1")
	want := "$20000\r\n" + "\xe1" + strings.Repeat("a", 19999) + "\r\n"
	r.s.Exec([][]byte{[]byte("GET"), []byte("bm")})
	// The host writes the reply outside the engine lock while commands
	// change the value.
	iov := r.s.Output(nil, 1<<20)
	var wg sync.WaitGroup
	wg.Add(1)
	var seen strings.Builder
	go func() {
		defer wg.Done()
		for range 20 {
			seen.Reset()
			for _, b := range iov {
				seen.Write(b)
			}
		}
	}()
	for i := range 200 {
		w.do("SETBIT", "bm", strconv.Itoa(8*i+1), "1")
		w.do("SETRANGE", "bm", strconv.Itoa(1000+i), "z")
		w.do("APPEND", "bm", "q")
		w.do("BITFIELD", "bm", "INCRBY", "u8", strconv.Itoa(8*(3000+i)), "1")
	}
	wg.Wait()
	require.Equal(t, want, seen.String())
	require.Equal(t, want, string(r.s.TakeOutput(nil)))
	// The write after the GET copied once; later writes are in place again.
	p := storedPtr(t, e, "bm")
	w.do("SETBIT", "bm", "9", "1")
	require.Same(t, p, storedPtr(t, e, "bm"))
}

func TestOwnedStringCopyDumpRenameSwap(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.do("SETBIT", "src", "8000", "1")
	old := getValue(t, c, "src")
	c.do("SETBIT", "src", "8001", "1") // owned again after the GET's copy

	require.Equal(t, ":1\r\n", c.do("COPY", "src", "dup"))
	c.do("SETBIT", "src", "0", "1")
	c.do("SETBIT", "dup", "1", "1")
	require.Equal(t, ":0\r\n", c.do("GETBIT", "dup", "0"))
	require.Equal(t, ":0\r\n", c.do("GETBIT", "src", "1"))

	dump := c.do("DUMP", "src")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	before := getValue(t, c, "src")
	c.do("SETBIT", "src", "2", "1")
	c.do("APPEND", "src", "tail")
	require.Equal(t, ok, c.do("RESTORE", "restored", "0", payload))
	require.Equal(t, before, getValue(t, c, "restored"))

	// Moved values stay one value: a write to the new name is seen there
	// and nowhere else.
	c.do("SET", "other", old)
	require.Equal(t, ok, c.do("RENAME", "src", "moved"))
	c.do("SETBIT", "moved", "3", "1")
	require.Equal(t, ":1\r\n", c.do("MOVE", "moved", "1"))
	c.do("SELECT", "1")
	c.do("SETBIT", "moved", "4", "1")
	require.Equal(t, ok, c.do("SWAPDB", "0", "1"))
	c.do("SELECT", "0")
	c.do("SETBIT", "moved", "5", "1")
	require.Equal(t, "\xbc", getValue(t, c, "moved")[:1])
	c.do("SELECT", "1")
	require.Equal(t, old, getValue(t, c, "other"))
	require.Equal(t, "\x40\x00", getValue(t, c, "dup")[:2])
}

func TestOwnedStringSnapshotKeepsOldBytes(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	const keys = 300
	want := map[string]string{}
	for i := range keys {
		k := "k" + strconv.Itoa(i)
		c.do("SETBIT", k, strconv.Itoa(8000+i), "1")
		c.do("SETRANGE", k, "5", k)
	}
	hllArgs := []string{"PFADD", "hll"}
	for i := range 3000 {
		hllArgs = append(hllArgs, strconv.Itoa(i))
	}
	c.do(hllArgs...)
	c.do("BITOP", "NOT", "dst", "k1")
	for _, k := range append([]string{"hll", "dst"}, func() []string {
		var ks []string
		for i := range keys {
			ks = append(ks, "k"+strconv.Itoa(i))
		}
		return ks
	}()...) {
		e.mu.Lock()
		v, _, _ := e.main.dbs[0].peek(k)
		e.mu.Unlock()
		want[k] = strings.Clone(v)
	}
	snap := e.BeginSnapshot()
	got := map[string]string{}
	var wg sync.WaitGroup
	wg.Add(1)
	var snapErr error
	go func() {
		defer wg.Done()
		defer snap.Close()
		var batch []SnapshotKey
		for {
			var err error
			if batch, err = snap.Next(batch); err != nil {
				snapErr = err
				return
			}
			if len(batch) == 0 {
				return
			}
			for _, k := range batch {
				v, err := rdb.DecodeValue(k.Value)
				if err != nil {
					snapErr = err
					return
				}
				got[k.Key] = v.Str
			}
		}
	}()
	for round := range 3 {
		for i := range keys {
			k := "k" + strconv.Itoa(i)
			c.do("SETBIT", k, strconv.Itoa(round), "1")
			c.do("BITFIELD", k, "INCRBY", "u8", "16", "1")
			c.do("APPEND", k, "+")
		}
		c.do("PFADD", "hll", "r"+strconv.Itoa(round), "s"+strconv.Itoa(round))
		c.do("PFCOUNT", "hll")
		c.do("BITOP", "NOT", "dst", "k2")
	}
	wg.Wait()
	require.NoError(t, snapErr)
	for k, v := range want {
		require.Equal(t, v, got[k], "snapshot of %s", k)
	}
}

// TestOwnedStringRandomHolders runs random writes and reads on a few keys
// and keeps every large value a reader took (a queued GET reply, a COPY, a
// DUMP, a snapshot), then checks that each still holds what it held.
func TestOwnedStringRandomHolders(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	rng := rand.New(rand.NewPCG(7, 9))
	keys := []string{"a", "b", "c"}
	model := map[string][]byte{}
	type held struct {
		what, want string
		get        func() string
	}
	var holds []held
	pick := func() string { return keys[rng.IntN(len(keys))] }
	for step := range 3000 {
		k := pick()
		switch op := rng.IntN(12); op {
		case 0, 1:
			off := rng.IntN([]int{4000, 200000}[rng.IntN(2)]) // values around ownedMinBytes too
			c.do("SETBIT", k, strconv.Itoa(off), "1")
			b := model[k]
			if len(b) <= off/8 {
				b = append(b, make([]byte, off/8+1-len(b))...)
			}
			b[off/8] |= 0x80 >> (off % 8)
			model[k] = b
		case 2:
			off := rng.IntN(20000)
			c.do("SETRANGE", k, strconv.Itoa(off), "xy")
			b := model[k]
			if len(b) < off+2 {
				b = append(b, make([]byte, off+2-len(b))...)
			}
			copy(b[off:], "xy")
			model[k] = b
		case 3:
			c.do("APPEND", k, "tail")
			model[k] = append(model[k], "tail"...)
		case 4:
			if len(model[k]) > 0 {
				c.do("BITFIELD", k, "INCRBY", "u8", "0", "3")
				model[k][0] += 3
			}
		case 5:
			src := pick()
			if len(model[src]) > 0 {
				c.do("BITOP", "NOT", k, src)
				b := make([]byte, len(model[src]))
				for i, x := range model[src] {
					b[i] = ^x
				}
				model[k] = b
			}
		case 6:
			r := newClient(t, e) // one pending reply per reader
			r.s.Exec([][]byte{[]byte("GET"), []byte(k)})
			if v, ok := model[k]; ok {
				want := "$" + strconv.Itoa(len(v)) + "\r\n" + string(v) + "\r\n"
				holds = append(holds, held{"GET " + k, want, func() string { return string(r.s.TakeOutput(nil)) }})
			} else {
				r.s.TakeOutput(nil)
			}
		case 7:
			dst := "copy" + strconv.Itoa(step)
			if _, ok := model[k]; ok {
				c.do("COPY", k, dst)
				want := string(model[k])
				holds = append(holds, held{"COPY " + k, want, func() string { return getValue(t, c, dst) }})
			}
		case 8:
			if _, ok := model[k]; ok {
				out := c.do("DUMP", k)
				payload := out[strings.Index(out, "\r\n")+2 : len(out)-2]
				want := string(model[k])
				holds = append(holds, held{"DUMP " + k, want, func() string {
					v, err := rdb.DecodeValue([]byte(payload))
					require.NoError(t, err)
					return v.Str
				}})
			}
		case 9:
			if len(model[k]) > 0 {
				c.do("GETBIT", k, "0")
				c.do("BITCOUNT", k)
			}
		case 10:
			other := pick()
			if _, ok := model[k]; ok && other != k {
				c.do("RENAME", k, other)
				model[other] = model[k]
				delete(model, k)
			}
		case 11:
			if rng.IntN(4) == 0 {
				c.do("DEL", k)
				delete(model, k)
			}
		}
		// Take output of readers at random moments, as a host would.
		if step%97 == 0 {
			for _, h := range holds {
				require.Equal(t, h.want, h.get(), h.what)
			}
			holds = holds[:0]
		}
	}
	for _, h := range holds {
		require.Equal(t, h.want, h.get(), h.what)
	}
	for k, v := range model {
		require.Equal(t, string(v), getValue(t, c, k), k)
	}
}

// TestBitopApplyMatchesBytewise checks the word loops against a byte at a
// time, for every op, source counts and lengths around the word and
// four-word edges, with the destination apart from the sources and as the
// first source.
func TestBitopApplyMatchesBytewise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for _, op := range []string{"and", "or", "xor", "not"} {
		for nsrc := 1; nsrc <= 3; nsrc++ {
			if (op == "not") != (nsrc == 1) {
				continue
			}
			for _, n := range []int{1, 7, 8, 31, 32, 33, 64, 95, 200} {
				srcs := make([][]byte, nsrc)
				maxLen := 0
				for i := range srcs {
					srcs[i] = randBytes(n - rng.IntN(n)*(i%2))
					maxLen = max(maxLen, len(srcs[i]))
				}
				want := make([]byte, maxLen)
				for i := range want {
					at := func(s []byte) byte {
						if i < len(s) {
							return s[i]
						}
						return 0
					}
					v := at(srcs[0])
					for _, s := range srcs[1:] {
						switch op {
						case "and":
							v &= at(s)
						case "or":
							v |= at(s)
						case "xor":
							v ^= at(s)
						}
					}
					if op == "not" {
						v = ^v
					}
					want[i] = v
				}
				got := make([]byte, maxLen)
				bitopApply(op, got, srcs)
				require.Equal(t, want, got, "%s %d sources of %d", op, nsrc, n)
				if len(srcs[0]) == maxLen {
					bitopApply(op, srcs[0], srcs) // in place
					require.Equal(t, want, srcs[0], "%s %d sources of %d in place", op, nsrc, n)
				}
			}
		}
	}
}

// TestOwnedStringWritesAllocateNothing guards the point of owned values:
// a write to an unshared bitmap or dense HyperLogLog copies nothing.
func TestOwnedStringWritesAllocateNothing(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector allocates")
	}
	e, _ := testEngine(t)
	s := e.NewSession(ClientInfo{Kind: "test"})
	spare := make([]byte, 0, 4096)
	run := func(args [][]byte) {
		s.Exec(args)
		spare = s.TakeOutput(spare)
	}
	run(argv("SETBIT", "bits", "99999", "1"))
	flips := [][][]byte{argv("SETBIT", "bits", "77", "1"), argv("SETBIT", "bits", "77", "0")}
	i := 0
	require.Zero(t, testing.AllocsPerRun(200, func() {
		run(flips[i&1])
		i++
	}), "SETBIT")
	hll := []string{"PFADD", "hll"}
	for j := range 5000 {
		hll = append(hll, strconv.Itoa(j))
	}
	run(argv(hll...))
	adds := make([][][]byte, 300)
	for j := range adds {
		adds[j] = argv("PFADD", "hll", "new"+strconv.Itoa(j))
	}
	i = 0
	require.Zero(t, testing.AllocsPerRun(200, func() {
		run(adds[i%len(adds)])
		i++
	}), "PFADD")
	count := argv("PFCOUNT", "hll")
	require.Zero(t, testing.AllocsPerRun(200, func() { run(count) }), "PFCOUNT")
}

// TestSmallBitmapWriteAllocations guards redisbench's SETBIT row (a bit of
// a 126-byte bitmap, too short to be owned): an unchanged bit allocates
// nothing, a flip only the copy and the stored key with its value, and the
// raw mark set in the same pass (with the stored key, not a view of the
// request) survives the reuse of the request buffer.
func TestSmallBitmapWriteAllocations(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector allocates")
	}
	e, _ := testEngine(t)
	c := newClient(t, e)
	s := c.s
	spare := make([]byte, 0, 4096)
	run := func(args [][]byte) {
		s.Exec(args)
		spare = s.TakeOutput(spare)
	}
	key := []byte("bits:12345")
	run([][]byte{[]byte("SETBIT"), key, []byte("1000"), []byte("1")})
	same := [][]byte{[]byte("SETBIT"), key, []byte("1000"), []byte("1")}
	require.Zero(t, testing.AllocsPerRun(200, func() { run(same) }), "unchanged SETBIT")
	flips := [][][]byte{
		{[]byte("SETBIT"), key, []byte("1000"), []byte("0")},
		{[]byte("SETBIT"), key, []byte("1000"), []byte("1")},
	}
	i := 0
	require.LessOrEqual(t, testing.AllocsPerRun(200, func() {
		run(flips[i&1])
		i++
	}), 2.0, "SETBIT flip")
	copy(key, "zzzzzzzzzz") // the host reads the next request into the buffer
	require.Equal(t, "$3\r\nraw\r\n", c.do("OBJECT", "ENCODING", "bits:12345"))
	require.Equal(t, ":0\r\n", c.do("SETBIT", "bits:12345", "1000", "0")) // an odd number of flips
	require.Equal(t, "$3\r\nraw\r\n", c.do("OBJECT", "ENCODING", "bits:12345"))
	require.Equal(t, "$-1\r\n", c.do("GET", "zzzzzzzzzz"))
}
