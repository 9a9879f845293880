package repl

import (
	"testing"
	"time"
)

// A lost link reconnects on the next tick of a one-second cron counted
// from the follower's start, as Redis's replicationCron: never later than
// a second, and sooner the later in the second the link was lost.
func TestRetryWaitsForTheNextCronTick(t *testing.T) {
	start := time.Unix(1_700_000_000, 250_000_000)
	f := &Follower{cronPhase: start}
	for _, tc := range []struct {
		after, want time.Duration
	}{
		{0, time.Second},
		{300 * time.Millisecond, 700 * time.Millisecond},
		{999 * time.Millisecond, time.Millisecond},
		{time.Second, time.Second},
		{2900 * time.Millisecond, 100 * time.Millisecond},
	} {
		if got := f.untilRetry(start.Add(tc.after)); got != tc.want {
			t.Errorf("lost %v after start: retry in %v, want %v", tc.after, got, tc.want)
		}
	}
}
