package engine

import (
	"strconv"
	"strings"
	"testing"
)

// BenchmarkPublishSlowSubscribers publishes 1 KiB messages to 10
// subscribers that never read, as a publisher's batch does while its
// subscribers fall behind: the cost to watch is the bytes allocated (and
// copied) per message delivered, which should stay near the message size.
func BenchmarkPublishSlowSubscribers(b *testing.B) {
	e, _ := testEngine(b)
	const subs = 10
	sessions := make([]*client, subs)
	for i := range sessions {
		sessions[i] = newClient(b, e)
		sessions[i].do("SUBSCRIBE", "news")
	}
	pub := newClient(b, e)
	args := [][]byte{[]byte("PUBLISH"), []byte("news"), []byte(strings.Repeat("m", 1024))}
	want := ":" + strconv.Itoa(subs) + "\r\n"
	b.SetBytes(subs * 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pub.s.Exec(args)
		if out := pub.s.TakeOutput(nil); string(out) != want {
			b.Fatalf("PUBLISH replied %q", out)
		}
		if i%1000 == 999 {
			// What a subscriber's host does once it writes: without it the
			// output limit would drop the subscribers mid-run.
			for _, s := range sessions {
				n := 0
				for _, b := range s.s.Output(nil, 1<<30) {
					n += len(b)
				}
				s.s.Consumed(n)
			}
		}
	}
}
