package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAOFDurabilityKill9: a writer records every acknowledged SET while
// the server is killed with SIGKILL at a random moment, a few times in a
// row on the same append-only directory. After each restart every
// acknowledged write must be there with appendfsync always; with everysec
// only writes acknowledged in the last second before the kill may be
// missing (Redis's promise; a process kill loses nothing in practice,
// since the file is written before the reply leaves). The long variant is
// GOREDIS_DURABILITY_ROUNDS=N.
func TestAOFDurabilityKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills servers")
	}
	bin := buildBinary(t)
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("GOREDIS_DURABILITY_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	for i, policy := range []string{"always", "everysec"} {
		t.Run(policy, func(t *testing.T) {
			killLoop(t, bin, policy, rounds, 25200+i)
		})
	}
}

type ack struct {
	n  int
	at time.Time
}

func killLoop(t *testing.T, bin, policy string, rounds, port int) {
	dir := t.TempDir()
	args := []string{"--port", strconv.Itoa(port), "--dir", dir, "--appendonly", "yes", "--appendfsync", policy, "--save", ""}
	next := 0
	var acked []ack
	for round := 0; round < rounds; round++ {
		cmd, _ := started(t, bin, args...)
		// Everything acknowledged so far survived the previous kill.
		verify(t, port, acked, policy)
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		require.NoError(t, err)
		rd := bufio.NewReader(conn)
		acked = acked[:0]
		kill := time.After(time.Duration(200+rand.IntN(400)) * time.Millisecond)
		killed := false
		for !killed {
			select {
			case <-kill:
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
				_ = cmd.Wait()
				killed = true
				continue
			default:
			}
			// 16 commands at a time; only replies read are acknowledged.
			var b strings.Builder
			for j := 0; j < 16; j++ {
				k := strconv.Itoa(next + j)
				fmt.Fprintf(&b, "*3\r\n$3\r\nSET\r\n$%d\r\nk:%s\r\n$%d\r\n%s\r\n", len(k)+2, k, len(k), k)
			}
			if _, err := conn.Write([]byte(b.String())); err != nil {
				break
			}
			for j := 0; j < 16; j++ {
				line, err := rd.ReadString('\n')
				if err != nil {
					break
				}
				require.Equal(t, "+OK\r\n", line)
				acked = append(acked, ack{next + j, time.Now()})
			}
			next += 16
		}
		conn.Close()
		if !killed {
			<-kill
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		}
		require.NotEmpty(t, acked, "no write was acknowledged in round %d", round)
		// The last round's acknowledged writes are checked by the next
		// start; the final one needs its own.
		if round == rounds-1 {
			started(t, bin, args...)
			verify(t, port, acked, policy)
		}
	}
}

// verify checks that the acknowledged keys are present.
func verify(t *testing.T, port int, acked []ack, policy string) {
	t.Helper()
	if len(acked) == 0 {
		return
	}
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	require.NoError(t, err)
	defer conn.Close()
	rd := bufio.NewReader(conn)
	last := acked[len(acked)-1].at
	var missing []int
	for start := 0; start < len(acked); start += 500 {
		batch := acked[start:min(start+500, len(acked))]
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n$4\r\nMGET\r\n", len(batch)+1)
		for _, a := range batch {
			k := strconv.Itoa(a.n)
			fmt.Fprintf(&b, "$%d\r\nk:%s\r\n", len(k)+2, k)
		}
		_, err := conn.Write([]byte(b.String()))
		require.NoError(t, err)
		line, err := rd.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("*%d\r\n", len(batch)), line)
		for _, a := range batch {
			k := strconv.Itoa(a.n)
			line, err := rd.ReadString('\n')
			require.NoError(t, err)
			if line == "$-1\r\n" {
				missing = append(missing, a.n)
				if policy == "always" || last.Sub(a.at) > time.Second {
					t.Errorf("acknowledged write k:%d lost (appendfsync %s)", a.n, policy)
				}
				continue
			}
			val, err := rd.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, k+"\r\n", val)
		}
	}
	t.Logf("appendfsync %s: %d acknowledged writes checked, %d missing", policy, len(acked), len(missing))
}
