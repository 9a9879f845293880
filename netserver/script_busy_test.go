package netserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pollBusy sends PING until the server answers -BUSY (the script went
// past busy-reply-threshold) and returns that error's text.
func pollBusy(t *testing.T, c *redis.Client) string {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		err := c.Ping(ctx).Err()
		if err != nil && strings.HasPrefix(err.Error(), "BUSY ") {
			return err.Error()
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the server never answered BUSY")
	return ""
}

// A script running past busy-reply-threshold: another client is
// answered -BUSY, SCRIPT KILL (FUNCTION KILL for a function) ends it and
// its caller gets Redis's error; a script that wrote cannot be killed.
// Over TCP with two clients, in both connection models.
func TestScriptBusyAndKill(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines}, map[string]string{"busy-reply-threshold": "50"})
		ctx := context.Background()
		runner := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, ReadTimeout: time.Minute})
		t.Cleanup(func() { _ = runner.Close() })
		other := goRedisClient(t, addr, 2)
		require.NoError(t, other.Ping(ctx).Err())
		require.NoError(t, runner.Ping(ctx).Err())

		// EVAL and SCRIPT KILL
		done := make(chan error, 1)
		go func() { done <- runner.Eval(ctx, "while true do end", nil).Err() }()
		assert.Equal(t, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", pollBusy(t, other))
		assert.Equal(t, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", other.Do(ctx, "FUNCTION", "KILL").Err().Error())
		require.NoError(t, other.Do(ctx, "SCRIPT", "KILL").Err())
		err := <-done
		require.Error(t, err)
		assert.Equal(t, "ERR Script killed by user with SCRIPT KILL... script: 694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.", err.Error())
		assert.Equal(t, "PONG", other.Ping(ctx).Val())
		assert.Equal(t, "NOTBUSY No scripts in execution right now.", other.Do(ctx, "SCRIPT", "KILL").Err().Error())

		// FCALL and FUNCTION KILL
		require.NoError(t, other.Do(ctx, "FUNCTION", "LOAD", "REPLACE", "#!lua name=busy\nredis.register_function('spin', function() while true do end end)").Err())
		go func() { done <- runner.Do(ctx, "FCALL", "spin", "0").Err() }()
		assert.Equal(t, "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.", pollBusy(t, other))
		assert.Equal(t, "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.", other.Do(ctx, "SCRIPT", "KILL").Err().Error())
		require.NoError(t, other.Do(ctx, "FUNCTION", "KILL").Err())
		err = <-done
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "ERR Script killed by user with SCRIPT KILL..."), err.Error())

		// A script that wrote runs to its end: UNKILLABLE meanwhile. It
		// spins for a few seconds of TIME after its write.
		spin := "redis.call('set','k','v') local t = tonumber(redis.call('time')[1]) while tonumber(redis.call('time')[1]) < t + 3 do end return 'done'"
		res := make(chan *redis.Cmd, 1)
		go func() { res <- runner.Eval(ctx, spin, nil) }()
		pollBusy(t, other)
		assert.Equal(t, "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.", other.Do(ctx, "SCRIPT", "KILL").Err().Error())
		r := <-res
		require.NoError(t, r.Err())
		assert.Equal(t, "done", r.Val())
		assert.Equal(t, "v", other.Get(ctx, "k").Val())
	})
}

// With group commit on (an append-only file: replies wait for the end of
// the loop's iteration), the replies given while a script is busy still
// leave at once, as Redis's processEventsWhileBlocked runs beforeSleep:
// -BUSY is heard while the script runs, and SCRIPT KILL's OK before the
// killed script's error.
func TestScriptBusyRepliesWithGroupCommit(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		srv, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines}, map[string]string{"busy-reply-threshold": "50"})
		srv.eng.SetSyncer(func() {})
		ctx := context.Background()
		runner := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, ReadTimeout: time.Minute})
		t.Cleanup(func() { _ = runner.Close() })
		// A read timeout far below the time the script would spin.
		other := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, ReadTimeout: 10 * time.Second, MaxRetries: -1})
		t.Cleanup(func() { _ = other.Close() })
		require.NoError(t, other.Ping(ctx).Err())
		require.NoError(t, runner.Ping(ctx).Err())
		done := make(chan error, 1)
		go func() { done <- runner.Eval(ctx, "while true do end", nil).Err() }()
		assert.Equal(t, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", pollBusy(t, other))
		require.NoError(t, other.Do(ctx, "SCRIPT", "KILL").Err())
		err := <-done
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "ERR Script killed by user with SCRIPT KILL..."), err.Error())
	})
}
