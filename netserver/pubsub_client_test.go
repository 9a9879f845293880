package netserver

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoRedisPubSub: go-redis's PubSub in RESP3 (messages are pushes) and
// RESP2 (messages are arrays in the subscribed context).
func TestGoRedisPubSub(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		for _, proto := range []int{3, 2} {
			t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
				// A server each: the last subtest's clients may not be
				// gone yet, and would be counted as subscribers.
				_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				pubc := goRedisClient(t, addr, proto)
				subc := goRedisClient(t, addr, proto)
				ps := subc.Subscribe(ctx, "news")
				defer ps.Close()
				_, err := ps.Receive(ctx) // the subscription confirmation
				require.NoError(t, err)
				require.NoError(t, ps.PSubscribe(ctx, "ne*"))
				_, err = ps.Receive(ctx)
				require.NoError(t, err)

				assert.Equal(t, int64(2), pubc.Publish(ctx, "news", "hello").Val(), "one channel and one pattern subscriber")
				got := map[string]string{}
				for i := 0; i < 2; i++ {
					m, err := ps.ReceiveMessage(ctx)
					require.NoError(t, err)
					got[m.Pattern] = m.Channel + ":" + m.Payload
				}
				assert.Equal(t, map[string]string{"": "news:hello", "ne*": "news:hello"}, got)
				assert.Equal(t, []string{"news"}, pubc.PubSubChannels(ctx, "*").Val())
				assert.Equal(t, map[string]int64{"news": 1}, pubc.PubSubNumSub(ctx, "news").Val())
				assert.Equal(t, int64(1), pubc.PubSubNumPat(ctx).Val())
				require.NoError(t, ps.Unsubscribe(ctx, "news"))
				require.NoError(t, ps.PUnsubscribe(ctx, "ne*"))
			})
		}
	})
}

// TestRedisCliSubscribe runs redis-cli in subscribe mode: it prints the
// confirmation and then each message as it arrives.
func TestRedisCliSubscribe(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		cli, err := exec.LookPath("redis-cli")
		if err != nil {
			t.Skip("redis-cli not installed (apt-get install redis-tools): redis-cli test skipped")
		}
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		host, port, _ := net.SplitHostPort(addr)
		cmd := exec.Command(cli, "-h", host, "-p", port, "SUBSCRIBE", "news")
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		lines := make(chan string, 16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		read := func(n int) []string {
			var got []string
			for len(got) < n {
				select {
				case l, ok := <-lines:
					if !ok {
						return got
					}
					got = append(got, l)
				case <-time.After(10 * time.Second):
					return got
				}
			}
			return got
		}
		// redis-cli without a tty prints raw lines
		assert.Equal(t, []string{"subscribe", "news", "1"}, read(3))
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		for {
			_, err = c.Write([]byte("PUBLISH news \"hi there\"\r\n"))
			require.NoError(t, err)
			reply, err := bufio.NewReader(c).ReadString('\n')
			require.NoError(t, err)
			if strings.TrimSpace(reply) == ":1" {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		assert.Equal(t, []string{"message", "news", "hi there"}, read(3))
	})
}
