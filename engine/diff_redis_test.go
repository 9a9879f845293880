package engine

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diffScript runs the same commands on the engine and on a real
// redis-server (address in GOREDIS_DIFF_ADDR; skipped when unset) and
// requires identical raw replies. Commands are space separated; a command
// prefixed with "~" is run on both but only its reply kind is compared
// (random results).
func diffScript(t *testing.T, proto3 bool, script []string) {
	t.Helper()
	addr := os.Getenv("GOREDIS_DIFF_ADDR")
	if addr == "" {
		t.Skip("GOREDIS_DIFF_ADDR not set")
	}
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	rd := bufio.NewReader(conn)
	send := func(args []string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		_, err := conn.Write([]byte(b.String()))
		require.NoError(t, err)
		out, err := readRESP(rd)
		require.NoError(t, err)
		return out
	}
	e, _ := testEngine(t)
	c := newClient(t, e)
	send([]string{"FLUSHALL"})
	send([]string{"CONFIG", "SET", "zset-max-listpack-entries", "128"})
	send([]string{"CONFIG", "SET", "set-max-intset-entries", "512"})
	if proto3 {
		send([]string{"HELLO", "3"})
		c.do("HELLO", "3")
	}
	var golden []goldenStep
	for _, line := range script {
		args := splitScriptLine(strings.TrimPrefix(line, "~"))
		golden = append(golden, goldenStep{Cmd: line, Reply: send(args)})
	}
	if os.Getenv("GOREDIS_GOLDEN_UPDATE") != "" && !strings.Contains(t.Name(), "Random") {
		data, err := json.MarshalIndent(golden, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join("testdata", goldenName(t)+".golden.json"), data, 0o644))
	}
	for _, g := range golden {
		loose := strings.HasPrefix(g.Cmd, "~")
		args := splitScriptLine(strings.TrimPrefix(g.Cmd, "~"))
		if e.lookupCommand([]byte(args[0])) == nil {
			t.Logf("not in this build, skipped: %s", g.Cmd)
			continue
		}
		got := c.do(args...)
		if loose {
			assert.Equalf(t, g.Reply[:1], got[:1], "%s", g.Cmd)
			continue
		}
		assert.Equalf(t, g.Reply, got, "%s", g.Cmd)
	}
}

// goldenStep is one command of a recorded script and real Redis's reply.
type goldenStep struct {
	Cmd   string `json:"cmd"`
	Reply string `json:"reply"`
}

// goldenName names a golden file after the test: TestSetDiffRedis -> set.
func goldenName(t *testing.T) string {
	n := strings.TrimPrefix(t.Name(), "Test")
	n = strings.Replace(n, "DiffRedis", "", 1)
	return strings.ToLower(n)
}

// runScriptGolden replays a script recorded from real Redis (see
// diffScript: GOREDIS_GOLDEN_UPDATE=1 with GOREDIS_DIFF_ADDR rewrites the
// file) and requires the engine's exact replies. Commands this build does
// not have yet are skipped.
func runScriptGolden(t *testing.T, name string, script []string) {
	t.Helper()
	runScriptGoldenProto(t, name, script, false)
}

// runScriptGoldenProto is runScriptGolden, in RESP3 when proto3 (the
// recorded script then also ran after HELLO 3).
func runScriptGoldenProto(t *testing.T, name string, script []string, proto3 bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".golden.json"))
	require.NoError(t, err)
	var golden []goldenStep
	require.NoError(t, json.Unmarshal(data, &golden))
	require.Len(t, golden, len(script), "golden file out of date")
	e, _ := testEngine(t)
	c := newClient(t, e)
	if proto3 {
		c.do("HELLO", "3")
	}
	for i, g := range golden {
		require.Equal(t, script[i], g.Cmd, "golden file out of date")
		loose := strings.HasPrefix(g.Cmd, "~")
		args := splitScriptLine(strings.TrimPrefix(g.Cmd, "~"))
		if e.lookupCommand([]byte(args[0])) == nil {
			continue
		}
		got := c.do(args...)
		if loose {
			assert.Equalf(t, g.Reply[:1], got[:1], "%s", g.Cmd)
			continue
		}
		assert.Equalf(t, g.Reply, got, "%s", g.Cmd)
	}
}

// splitScriptLine splits on spaces; "\s" inside an argument is a space and
// ” is an empty argument.
func splitScriptLine(line string) []string {
	f := strings.Fields(line)
	for i, a := range f {
		if a == "''" {
			a = ""
		}
		f[i] = strings.ReplaceAll(a, `\s`, " ")
	}
	return f
}

// readRESP reads one complete reply and returns its raw bytes.
func readRESP(rd *bufio.Reader) (string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	out := line
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '$', '=', '!':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return out, nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(rd, buf); err != nil {
			return "", err
		}
		return out + string(buf), nil
	case '*', '~', '>', '%', '|':
		n, _ := strconv.Atoi(body)
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			sub, err := readRESP(rd)
			if err != nil {
				return "", err
			}
			out += sub
		}
	}
	return out, nil
}

func ioReadFull(rd *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := rd.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
