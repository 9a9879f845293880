package repl_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStreamWaitsForABusyScript is integration/replication's "Master
// stream is correctly processed while the replica has a script in -BUSY
// state" without its three-billion-step loop: the master's writes made
// while a script keeps the replica busy are applied once the script ends
// (here by SCRIPT KILL), and the datasets match.
func TestStreamWaitsForABusyScript(t *testing.T) {
	ctx := context.Background()
	maddr, raddr := startReplica(t), startReplica(t)
	master := redis.NewClient(&redis.Options{Addr: maddr, Protocol: 2})
	defer master.Close()
	replica := redis.NewClient(&redis.Options{Addr: raddr, Protocol: 2})
	defer replica.Close()
	require.NoError(t, replica.ConfigSet(ctx, "lua-time-limit", "100").Err())
	host, port, _ := net.SplitHostPort(maddr)
	require.NoError(t, replica.Do(ctx, "REPLICAOF", host, port).Err())
	require.NoError(t, master.Set(ctx, "before", "1", 0).Err())
	waitInSync(t, master, replica)

	busy := redis.NewClient(&redis.Options{Addr: raddr, Protocol: 2, ReadTimeout: -1})
	defer busy.Close()
	evalErr := make(chan error, 1)
	go func() { evalErr <- busy.Eval(ctx, "while true do end", nil).Err() }()
	require.Eventually(t, func() bool {
		err := replica.Ping(ctx).Err()
		return err != nil && strings.HasPrefix(err.Error(), "BUSY ")
	}, 20*time.Second, 20*time.Millisecond, "the replica is busy")

	p := master.Pipeline()
	for i := 0; i < 100; i++ {
		p.Set(ctx, "during:"+strconv.Itoa(i), i, 0)
	}
	_, err := p.Exec(ctx)
	require.NoError(t, err)

	require.NoError(t, replica.Do(ctx, "SCRIPT", "KILL").Err())
	err = <-evalErr
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Script killed by user with SCRIPT KILL")
	waitInSync(t, master, replica)
	assert.Equal(t, "99", replica.Get(ctx, "during:99").Val())
}
