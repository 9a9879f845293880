package cluster

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeySlot(t *testing.T) {
	// Expected values from Redis 7.0.15's CLUSTER KEYSLOT (and the
	// cluster spec's CRC16 reference value for "123456789").
	assert.Equal(t, uint16(0x31C3), CRC16([]byte("123456789")))
	for _, tc := range []struct {
		key  string
		slot int
	}{
		{"", 0},
		{"foo", 12182},
		{"bar", 5061},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"user1000", 3443},
		{"foo{}{bar}", 8363},
		{"foo{{bar}}zap", 4015},
		{"foo{bar}{zap}", 5061},
		{"{}", 15257},
		{"{", 4092},
		{"}{a}", 15495},
	} {
		assert.Equal(t, tc.slot, KeySlot([]byte(tc.key)), tc.key)
	}
}

func BenchmarkKeySlot(b *testing.B) {
	key := []byte("key:{user:1000}:profile")
	b.ReportAllocs()
	for b.Loop() {
		KeySlot(key)
	}
}

// TestKeySlotAgainstRedis compares KeySlot with CLUSTER KEYSLOT of a real
// redis-server for random keys full of braces.
func TestKeySlotAgainstRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	const port = 7852
	srv := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", t.TempDir(),
		"--cluster-enabled", "yes", "--save", "")
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	var conn net.Conn
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			conn = c
			break
		}
		require.True(t, time.Now().Before(deadline), "redis-server did not start")
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab{}{}x\x00\xff")
	for i := range 2000 {
		key := make([]byte, rng.IntN(12))
		for j := range key {
			key[j] = alphabet[rng.IntN(len(alphabet))]
		}
		if i == 0 {
			key = nil
		}
		fmt.Fprintf(conn, "*3\r\n$7\r\nCLUSTER\r\n$7\r\nKEYSLOT\r\n$%d\r\n%s\r\n", len(key), key)
		line, err := rd.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, ":"+strconv.Itoa(KeySlot(key))+"\r\n", line, "%q", key)
	}
}
