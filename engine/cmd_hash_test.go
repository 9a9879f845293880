package engine

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashSetGetCommands(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "HSET h a", want: errReply("ERR wrong number of arguments for 'hset' command")},
		{cmd: "HSET h a 1 b", want: errReply("ERR wrong number of arguments for 'hset' command")},
		{cmd: "HMSET h a 1 b", want: errReply("ERR wrong number of arguments for 'hmset' command")},
		{cmd: "EXISTS h", want: integer(0)},
		{cmd: "HSET h a 1 b 2", want: integer(2)},
		{cmd: "HSET h a 3 c 4", want: integer(1)},
		{cmd: "HSET h a 1 a 2", want: integer(0)},
		{cmd: "HMSET h x 1 y 2", want: ok},
		{cmd: "HSETNX h a 5", want: integer(0)},
		{cmd: "HSETNX h d 5", want: integer(1)},
		{cmd: "HSETNX new f v", want: integer(1)},
		{cmd: "HGET h a", want: bulk("2")},
		{cmd: "HGET h z", want: nilBulk},
		{cmd: "HGET nokey a", want: nilBulk},
		{cmd: "HMGET h a z b", want: arr(bulk("2"), nilBulk, bulk("2"))},
		{cmd: "HMGET nokey a b", want: arr(nilBulk, nilBulk)},
		{cmd: "HLEN h", want: integer(6)},
		{cmd: "HLEN nokey", want: integer(0)},
		{cmd: "HEXISTS h b", want: integer(1)},
		{cmd: "HEXISTS h z", want: integer(0)},
		{cmd: "HEXISTS nokey z", want: integer(0)},
		{cmd: "HSTRLEN h d", want: integer(1)},
		{cmd: "HSTRLEN h z", want: integer(0)},
		{cmd: "HSTRLEN nokey z", want: integer(0)},
		{cmd: "HKEYS h", want: bulks("a", "b", "c", "x", "y", "d")},
		{cmd: "HVALS h", want: bulks("2", "2", "4", "1", "2", "5")},
		{cmd: "HGETALL h", want: bulks("a", "2", "b", "2", "c", "4", "x", "1", "y", "2", "d", "5")},
		{cmd: "HKEYS nokey", want: arr()},
		{cmd: "HVALS nokey", want: arr()},
		{cmd: "HGETALL nokey", want: arr()},
		{cmd: "HDEL h a z", want: integer(1)},
		{cmd: "HDEL nokey a", want: integer(0)},
		{cmd: "HDEL h b c x y d", want: integer(5)},
		{cmd: "EXISTS h", want: integer(0)},
		{args: []string{"HSET", "h", "", "", "sp ace", "v\r\nx"}, want: integer(2)},
		{args: []string{"HGET", "h", ""}, want: bulk("")},
		{args: []string{"HGET", "h", "sp ace"}, want: bulk("v\r\nx")},
	})
}

func TestHashErrors(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "SET s x", want: ok},
		{cmd: "HSET s a 1", want: wrongType},
		{cmd: "HSET s a 1 b", want: errReply("ERR wrong number of arguments for 'hset' command")},
		{cmd: "HMSET s a 1", want: wrongType},
		{cmd: "HSETNX s a 1", want: wrongType},
		{cmd: "HGET s a", want: wrongType},
		{cmd: "HMGET s a", want: wrongType},
		{cmd: "HDEL s a", want: wrongType},
		{cmd: "HLEN s", want: wrongType},
		{cmd: "HEXISTS s a", want: wrongType},
		{cmd: "HSTRLEN s a", want: wrongType},
		{cmd: "HKEYS s", want: wrongType},
		{cmd: "HVALS s", want: wrongType},
		{cmd: "HGETALL s", want: wrongType},
		{cmd: "HINCRBY s a 1", want: wrongType},
		{cmd: "HINCRBY s a x", want: errReply(errNotInt)},
		{cmd: "HINCRBYFLOAT s a 1", want: wrongType},
		{cmd: "HINCRBYFLOAT s a x", want: errReply(errNotFloat)},
		{cmd: "HRANDFIELD s", want: wrongType},
		{cmd: "HRANDFIELD s 0", want: wrongType},
		{cmd: "HRANDFIELD s 0 foo", want: errReply(errSyntax)},
		{cmd: "HRANDFIELD s x", want: errReply(errNotInt)},
		{cmd: "HSCAN s 0", want: wrongType},
		{cmd: "HSCAN s x", want: errReply("ERR invalid cursor")},
		{cmd: "HSCAN s 0 COUNT 0", want: wrongType},
		{cmd: "HGET", want: errReply("ERR wrong number of arguments for 'hget' command")},
		{cmd: "HSET h", want: errReply("ERR wrong number of arguments for 'hset' command")},
		{cmd: "HDEL h", want: errReply("ERR wrong number of arguments for 'hdel' command")},
	})
}

func TestHashIncr(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "HSET h b 2 c 1 s abc inff inf z 00 big 1e308", want: integer(6)},
		{args: []string{"HSET", "h", "sp", " 1"}, want: integer(1)},
		{cmd: "HINCRBY h b x", want: errReply(errNotInt)},
		{cmd: "HINCRBY h b 10", want: integer(12)},
		{cmd: "HINCRBY h b -20", want: integer(-8)},
		{cmd: "HINCRBY h c 9223372036854775807", want: errReply("ERR increment or decrement would overflow")},
		{cmd: "HINCRBY h c 9223372036854775806", want: integer(9223372036854775807)},
		{cmd: "HINCRBY h n -9223372036854775808", want: integer(-9223372036854775808)},
		{cmd: "HINCRBY h n -1", want: errReply("ERR increment or decrement would overflow")},
		{cmd: "HINCRBY h s 1", want: errReply("ERR hash value is not an integer")},
		{cmd: "HINCRBY h sp 1", want: errReply("ERR hash value is not an integer")},
		{cmd: "HINCRBY h z 1", want: errReply("ERR hash value is not an integer")},
		{cmd: "HINCRBY h new 5", want: integer(5)},
		{cmd: "HINCRBY newkey f 5", want: integer(5)},
		{cmd: "HINCRBYFLOAT h new 1.5", want: bulk("6.5")},
		{cmd: "HINCRBY h new 1", want: errReply("ERR hash value is not an integer")},
		{cmd: "HINCRBYFLOAT h new x", want: errReply(errNotFloat)},
		{cmd: "HINCRBYFLOAT h new nan", want: errReply(errNotFloat)},
		{cmd: "HINCRBYFLOAT h new inf", want: errReply("ERR value is NaN or Infinity")},
		{cmd: "HINCRBYFLOAT h new -inf", want: errReply("ERR value is NaN or Infinity")},
		{cmd: "HINCRBYFLOAT h s 1", want: errReply("ERR hash value is not a float")},
		{cmd: "HINCRBYFLOAT h sp 1", want: errReply("ERR hash value is not a float")},
		{cmd: "HINCRBYFLOAT h inff 1", want: errReply("ERR increment would produce NaN or Infinity")},
		{cmd: "HINCRBYFLOAT h f 0.1", want: bulk("0.1")},
		{cmd: "HINCRBYFLOAT h f 0.2", want: bulk("0.3")},
		{cmd: "HINCRBYFLOAT h x 5.0e3", want: bulk("5000")},
		{cmd: "HINCRBYFLOAT h y -0", want: bulk("0")},
		{cmd: "HINCRBYFLOAT h y 1e-20", want: bulk("0")},
		{cmd: "HINCRBYFLOAT h z 1", want: bulk("1")},
		{cmd: "HINCRBYFLOAT h b 1.25", want: bulk("-6.75")},
		{cmd: "HINCRBYFLOAT h big 1e308", want: bulk("199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096")},
		{cmd: "HINCRBYFLOAT newkey2 f 2.5", want: bulk("2.5")},
		{cmd: "HGET h f", want: bulk("0.3")},
		{cmd: "HGET h c", want: bulk("9223372036854775807")},
	})
}

func TestHashRandField(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "HRANDFIELD nokey", want: nilBulk},
		{cmd: "HRANDFIELD nokey 5", want: arr()},
		{cmd: "HRANDFIELD nokey 0", want: arr()},
		{cmd: "HRANDFIELD nokey -5 WITHVALUES", want: arr()},
		{cmd: "HRANDFIELD nokey x", want: errReply(errNotInt)},
		{cmd: "HRANDFIELD nokey 5 foo", want: errReply(errSyntax)},
		{cmd: "HRANDFIELD nokey 5 withvalues x", want: errReply(errSyntax)},
		{cmd: "HRANDFIELD nokey -9223372036854775808", want: errReply("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")},
		{cmd: "HRANDFIELD nokey 9223372036854775807 withvalues", want: errReply("ERR value is out of range")},
		{cmd: "HRANDFIELD nokey -4611686018427387904 withvalues", want: errReply("ERR value is out of range")},
		{cmd: "HRANDFIELD nokey -4611686018427387903 withvalues", want: arr()},
		{cmd: "HSET h a 1", want: integer(1)},
		{cmd: "HRANDFIELD h", want: bulk("a")},
		{cmd: "HRANDFIELD h 0", want: arr()},
		{cmd: "HRANDFIELD h 0 WITHVALUES", want: arr()},
		{cmd: "HRANDFIELD h 2", want: bulks("a")},
		{cmd: "HRANDFIELD h -2", want: bulks("a", "a")},
		{cmd: "HRANDFIELD h 1 withvalues", want: bulks("a", "1")},
		{cmd: "HRANDFIELD h -2 withvalues", want: bulks("a", "1", "a", "1")},
		{cmd: "HSET h b 2 c 3", want: integer(2)},
		{cmd: "HRANDFIELD h 3", want: bulks("a", "b", "c")},
		{cmd: "HRANDFIELD h 10 WITHVALUES", want: bulks("a", "1", "b", "2", "c", "3")},
		{cmd: "HELLO 3", want: anyReply},
		{cmd: "HRANDFIELD nokey", want: "_\r\n"},
		{cmd: "HRANDFIELD nokey 3", want: arr()},
		{cmd: "HRANDFIELD h 5", want: bulks("a", "b", "c")},
		{cmd: "HRANDFIELD h 5 withvalues", want: arr(bulks("a", "1"), bulks("b", "2"), bulks("c", "3"))},
		{cmd: "HDEL h b c", want: integer(2)},
		{cmd: "HRANDFIELD h 1 withvalues", want: arr(bulks("a", "1"))},
		{cmd: "HRANDFIELD h -2 withvalues", want: arr(bulks("a", "1"), bulks("a", "1"))},
	})
}

func TestHashRandFieldDistinct(t *testing.T) {
	for _, n := range []int{10, 300} { // listpack and hashtable
		e, _ := testEngine(t)
		c := newClient(t, e)
		args := []string{"HSET", "h"}
		for i := 0; i < n; i++ {
			args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
		}
		c.do(args...)
		for _, count := range []int{2, n / 3, n/2 + 1, n - 1} {
			out := c.do("HRANDFIELD", "h", strconv.Itoa(count), "WITHVALUES")
			parts := strings.Split(out, "\r\n")
			require.Equal(t, "*"+strconv.Itoa(2*count), parts[0])
			seen := map[string]bool{}
			for i := 2; i < len(parts)-1; i += 4 {
				f, v := parts[i], parts[i+2]
				assert.False(t, seen[f], "field %s twice", f)
				seen[f] = true
				assert.Equal(t, "v"+f[1:], v)
			}
			assert.Len(t, seen, count)
		}
		// Negative counts repeat: 5000 picks from 10 fields cover them all.
		out := c.do("HRANDFIELD", "h", "-5000")
		seen := map[string]bool{}
		for _, p := range strings.Split(out, "\r\n") {
			if strings.HasPrefix(p, "f") {
				seen[p] = true
			}
		}
		if n == 10 {
			assert.Len(t, seen, 10)
		}
	}
}

func TestHashScan(t *testing.T) {
	emptyScan := arr(bulk("0"), arr())
	checkSteps(t, []step{
		{cmd: "HSCAN nokey 0", want: emptyScan},
		{cmd: "HSCAN nokey x", want: errReply("ERR invalid cursor")},
		{cmd: "HSCAN nokey -1", want: emptyScan},
		{args: []string{"HSCAN", "nokey", " 1"}, want: errReply("ERR invalid cursor")},
		{cmd: "HSCAN nokey 18446744073709551616", want: errReply("ERR invalid cursor")},
		{cmd: "HSCAN nokey 0 count 0", want: emptyScan},
		{cmd: "HSCAN nokey 0 foo", want: emptyScan},
		{cmd: "HSET h a 1 b 2 ab 3", want: integer(3)},
		{cmd: "HSCAN h 0", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h 0 MATCH a*", want: arr(bulk("0"), bulks("a", "1", "ab", "3"))},
		{cmd: "HSCAN h 0 COUNT 1", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h 0 count 0", want: errReply(errSyntax)},
		{cmd: "HSCAN h 0 count -1", want: errReply(errSyntax)},
		{cmd: "HSCAN h 0 count x", want: errReply(errNotInt)},
		{cmd: "HSCAN h 0 type string", want: errReply(errSyntax)},
		{cmd: "HSCAN h 0 novalues", want: errReply(errSyntax)},
		{cmd: "HSCAN h 0 match", want: errReply(errSyntax)},
		{cmd: "HSCAN h 5", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h 0 match a* match b*", want: arr(bulk("0"), bulks("b", "2"))},
		{cmd: "HSCAN h +0", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h 18446744073709551615", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h -", want: errReply("ERR invalid cursor")},
		{cmd: "HSCAN h +", want: errReply("ERR invalid cursor")},
		{args: []string{"HSCAN", "h", ""}, want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h -0", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h -18446744073709551615", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h -18446744073709551616", want: errReply("ERR invalid cursor")},
		{cmd: "HSCAN h 1 COUNT 9999999999999", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN h 1x", want: errReply("ERR invalid cursor")},
		{cmd: "HELLO 3", want: anyReply},
		{cmd: "HSCAN h 0", want: arr(bulk("0"), bulks("a", "1", "b", "2", "ab", "3"))},
		{cmd: "HSCAN nokey 0", want: emptyScan},
	})
}

func TestHashScanHashtable(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"HSET", "h"}
	want := map[string]string{}
	for i := 0; i < 1000; i++ {
		f := "field:" + strconv.Itoa(i)
		args = append(args, f, strconv.Itoa(i))
		want[f] = strconv.Itoa(i)
	}
	c.do(args...)
	got := map[string]string{}
	cursor, calls := "0", 0
	for {
		out := c.do("HSCAN", "h", cursor, "COUNT", "50")
		parts := strings.Split(out, "\r\n")
		cursor = parts[2]
		for i := 5; i+2 < len(parts); i += 4 {
			got[parts[i]] = parts[i+2]
		}
		calls++
		if cursor == "0" {
			break
		}
	}
	assert.Equal(t, want, got)
	assert.Greater(t, calls, 10)
	// MATCH filters the fields of each step.
	out := c.do("HSCAN", "h", "0", "MATCH", "field:99*", "COUNT", "100000")
	assert.Equal(t, arr(bulk("0"), bulks("field:99", "99", "field:990", "990", "field:991", "991", "field:992", "992", "field:993", "993", "field:994", "994", "field:995", "995", "field:996", "996", "field:997", "997", "field:998", "998", "field:999", "999")), sortScanPairs(out))
}

// sortScanPairs puts an HSCAN reply's pairs in field order.
func sortScanPairs(out string) string {
	parts := strings.Split(out, "\r\n")
	var pairs [][2]string
	for i := 5; i+2 < len(parts); i += 4 {
		pairs = append(pairs, [2]string{parts[i], parts[i+2]})
	}
	for i := range pairs {
		for j := i + 1; j < len(pairs); j++ {
			if pairs[j][0] < pairs[i][0] {
				pairs[i], pairs[j] = pairs[j], pairs[i]
			}
		}
	}
	var flat []string
	for _, p := range pairs {
		flat = append(flat, p[0], p[1])
	}
	return arr(bulk(parts[2]), bulks(flat...))
}

func TestHashResp3(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "HELLO 3", want: anyReply},
		{cmd: "HSET h a 1 b 2", want: integer(2)},
		{cmd: "HGETALL h", want: "%2\r\n" + bulk("a") + bulk("1") + bulk("b") + bulk("2")},
		{cmd: "HGETALL nokey", want: "%0\r\n"},
		{cmd: "HKEYS h", want: bulks("a", "b")},
		{cmd: "HVALS h", want: bulks("1", "2")},
		{cmd: "HGET h z", want: "_\r\n"},
		{cmd: "HMGET h a z", want: arr(bulk("1"), "_\r\n")},
		{cmd: "HINCRBYFLOAT h a 1.5", want: bulk("2.5")},
	})
}

// hashAt returns the hash stored at key in db 0.
func hashAt(t *testing.T, e *Engine, key string) *hash {
	t.Helper()
	_, obj, ok := e.main.dbs[0].rawGet(key)
	require.True(t, ok)
	h, ok := obj.(*hash)
	require.True(t, ok)
	return h
}

func TestHashEncodingConversion(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"HSET", "h"}
	for i := 0; i < 128; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v")
	}
	c.do(args...)
	assert.Equal(t, "listpack", hashAt(t, e, "h").encoding())
	c.line("HSET h one more")
	assert.Equal(t, "hashtable", hashAt(t, e, "h").encoding())
	c.line("HDEL h one f1 f2 f3")
	assert.Equal(t, "hashtable", hashAt(t, e, "h").encoding(), "never converts back")
	assert.Equal(t, integer(125), c.line("HLEN h"))

	c.do("HSET", "long", "f", strings.Repeat("x", 64))
	assert.Equal(t, "listpack", hashAt(t, e, "long").encoding())
	c.do("HSET", "long", "g", strings.Repeat("x", 65))
	assert.Equal(t, "hashtable", hashAt(t, e, "long").encoding())
	c.do("HSETNX", "lf", strings.Repeat("k", 65), "v")
	assert.Equal(t, "hashtable", hashAt(t, e, "lf").encoding())
	assert.Equal(t, integer(1), c.do("HSTRLEN", "lf", strings.Repeat("k", 65)))
	c.do("HINCRBY", "inc", strings.Repeat("k", 64), "1")
	assert.Equal(t, "listpack", hashAt(t, e, "inc").encoding())
	c.do("HINCRBY", "inc", strings.Repeat("k", 65), "1")
	assert.Equal(t, "hashtable", hashAt(t, e, "inc").encoding())

	require.NoError(t, e.config.set("hash-max-listpack-entries", "2", false))
	c.line("HSET small a 1 b 2")
	assert.Equal(t, "listpack", hashAt(t, e, "small").encoding())
	c.line("HINCRBY small c 1")
	assert.Equal(t, "hashtable", hashAt(t, e, "small").encoding())
	c.line("HELLO 3")
	assert.Equal(t, "%3\r\n", c.line("HGETALL small")[:4])
}

func TestHashKeyspaceEvents(t *testing.T) {
	e, _ := testEngine(t)
	sub, c := newClient(t, e), newClient(t, e)
	events := subscribeEvents(t, e, sub)
	cases := []struct {
		cmd  string
		want []string
	}{
		{"HSET h a 1 b 2", []string{"hset h"}},
		{"HMSET h a 1", []string{"hset h"}},
		{"HSETNX h a 1", nil},
		{"HSETNX h c 1", []string{"hset h"}},
		{"HINCRBY h n 1", []string{"hincrby h"}},
		{"HINCRBYFLOAT h n 1.5", []string{"hincrbyfloat h"}},
		{"HDEL h zz", nil},
		{"HDEL h a b", []string{"hdel h"}},
		{"HDEL h c n zz", []string{"hdel h", "del h"}},
	}
	for _, tc := range cases {
		c.line(tc.cmd)
		assert.Equal(t, tc.want, events(), tc.cmd)
	}
}

func TestHashWatchTouched(t *testing.T) {
	for _, cmd := range []string{"HSET h a 2", "HMSET h b 1", "HSETNX h z 1", "HDEL h a", "HINCRBY h n 1", "HINCRBYFLOAT h n 1"} {
		e, _ := testEngine(t)
		a, b := newClient(t, e), newClient(t, e)
		b.line("HSET h a 1")
		a.line("WATCH h")
		b.line(cmd)
		a.line("MULTI")
		a.line("PING")
		assert.Equal(t, nilArr, a.line("EXEC"), cmd)
	}
}

func BenchmarkHSet(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	args := [][]byte{[]byte("HSET"), []byte("hash"), []byte("field:00"), []byte("value")}
	var out []byte
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// cycle through 100 fields: a listpack-sized hash
		args[2][6] = byte('0' + i/10%10)
		args[2][7] = byte('0' + i%10)
		c.s.Exec(args)
		out = c.s.TakeOutput(out)
		i++
	}
}

func BenchmarkHSetHashtable(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	for i := 0; i < 1000; i++ {
		c.do("HSET", "hash", "field:"+strconv.Itoa(i), "value")
	}
	args := [][]byte{[]byte("HSET"), []byte("hash"), []byte("field:000"), []byte("value")}
	var out []byte
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		args[2][6] = byte('0' + i/100%10)
		args[2][7] = byte('0' + i/10%10)
		args[2][8] = byte('0' + i%10)
		c.s.Exec(args)
		out = c.s.TakeOutput(out)
		i++
	}
}
