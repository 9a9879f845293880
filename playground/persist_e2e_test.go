package playground_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
)

// lockedBuffer collects a child process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// unixRedis is a Debian redis-server listening on a unix socket only (no
// TCP port to collide with anything), in dir, loading dir/dump.rdb if
// there is one.
func unixRedis(t *testing.T, dir string) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed: the round trip with Redis is not checked")
	}
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--dir", dir, "--dbfilename", "dump.rdb",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--enable-debug-command", "yes", "--loglevel", "warning")
	log := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("redis-server exited: %s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server never listened on %s: %s", sock, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { _ = c.Close() })
	// A load that fails (a bad dump) leaves Redis without a dataset: it
	// exits, and the dial above would have failed.
	return c
}

// fillRedis writes keys of every type GoRedis shares with Redis 7.0, in
// both encodings of each (streams with a consumer group), with deadlines,
// across three databases.
func fillRedis(t *testing.T, ctx context.Context, c *redis.Client) {
	t.Helper()
	for _, db := range []int{0, 1, 5} {
		p := c.Pipeline()
		p.Do(ctx, "SELECT", db)
		pre := fmt.Sprintf("db%d:", db)
		p.Set(ctx, pre+"int", 12345, 0)
		p.Set(ctx, pre+"str", "hello world", time.Hour)
		p.Set(ctx, pre+"raw", strings.Repeat("long value ", 20), 0)
		p.SetBit(ctx, pre+"bits", 100, 1)
		p.PFAdd(ctx, pre+"hll", "a", "b", "c")
		p.GeoAdd(ctx, pre+"geo", &redis.GeoLocation{Name: "Paris", Longitude: 2.35, Latitude: 48.85})
		p.RPush(ctx, pre+"list", "a", "b", "c")
		var big []any
		for i := range 300 {
			big = append(big, "element-"+strconv.Itoa(i))
		}
		p.RPush(ctx, pre+"biglist", big...)
		p.HSet(ctx, pre+"hash", "f1", "v1", "f2", "2")
		var fields []any
		for i := range 600 { // past hash-max-listpack-entries (512)
			fields = append(fields, "field"+strconv.Itoa(i), i)
		}
		p.HSet(ctx, pre+"bighash", fields...)
		p.SAdd(ctx, pre+"ints", 1, 2, 3)
		p.SAdd(ctx, pre+"set", "x", "y", "z")
		p.ZAdd(ctx, pre+"zset", redis.Z{Score: 1.5, Member: "a"}, redis.Z{Score: -2, Member: "b"})
		var zs []redis.Z
		for i := range 200 {
			zs = append(zs, redis.Z{Score: float64(i) / 3, Member: "m" + strconv.Itoa(i)})
		}
		p.ZAdd(ctx, pre+"bigzset", zs...)
		p.XAdd(ctx, &redis.XAddArgs{Stream: pre + "stream", ID: "1-1", Values: []any{"type", "click"}})
		p.XAdd(ctx, &redis.XAddArgs{Stream: pre + "stream", ID: "2-0", Values: []any{"type", "view", "page", "home"}})
		p.XGroupCreate(ctx, pre+"stream", "workers", "1-1")
		p.PExpire(ctx, pre+"list", 90*time.Minute)
		p.PExpire(ctx, pre+"bigzset", 2*time.Hour)
		_, err := p.Exec(ctx)
		require.NoError(t, err)
	}
}

// waitJS waits until a JS condition holds in the page.
func waitJS(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	require.NoError(t, chromedp.Run(ctx, chromedp.Poll(cond, nil, chromedp.WithPollingTimeout(20*time.Second))), what)
}

// dataStatus is the data controls' status line.
func dataStatus(t *testing.T, ctx context.Context) string {
	t.Helper()
	var s string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.data-status`, &s, chromedp.ByQuery)))
	return s
}

// saves is how many times the page stored the dump.
func saves(t *testing.T, ctx context.Context) int {
	t.Helper()
	var n int
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`Number(document.querySelector('.data-saved')?.dataset.saves || 0)`, &n)))
	return n
}

// waitStored waits until every change is in the browser's storage: no
// change since the last save, and no BGSAVE (whose end waits for the
// storage to commit) in progress.
func waitStored(t *testing.T, ctx context.Context) {
	t.Helper()
	for i := 0; ; i++ {
		require.Less(t, i, 200, "the changes were never saved")
		out := run(t, ctx, 1, "INFO persistence", "rdb_bgsave_in_progress:")
		if strings.Contains(out, "rdb_changes_since_last_save:0\n") && strings.Contains(out, "rdb_bgsave_in_progress:0\n") {
			return
		}
		require.NoError(t, chromedp.Run(ctx, chromedp.Sleep(100*time.Millisecond)))
	}
}

// download clicks "Download dump.rdb" and returns the file Chromium saved.
func download(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	dir := t.TempDir()
	done := make(chan string, 1)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chromedp.ListenTarget(lctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	})
	require.NoError(t, chromedp.Run(ctx,
		cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(dir).WithEventsEnabled(true),
		chromedp.Click(`.data-download`, chromedp.ByQuery)))
	var guid string
	select {
	case guid = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the download never completed")
	}
	b, err := os.ReadFile(filepath.Join(dir, guid))
	require.NoError(t, err)
	return b
}

// TestPersistenceInBrowser: a dump.rdb Redis 7.0 wrote loads into the page
// (file picker); the page's "Download dump.rdb" loads into redis-server
// with the same DEBUG DIGEST; the keyspace survives a reload (IndexedDB);
// SAVE and BGSAVE store it; bad files (picker and drag-and-drop) are
// refused with Redis's words and change nothing; Reset empties it.
func TestPersistenceInBrowser(t *testing.T) {
	ctx := browser(t)
	srv := httptest.NewServer(netserver.New(engine.New(engine.Options{}), netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	defer srv.Close()
	shot := shooter(t, ctx, "persist")
	bg := context.Background()

	// Redis writes a dump of every type.
	redisDir := t.TempDir()
	rc := unixRedis(t, redisDir)
	fillRedis(t, bg, rc)
	require.NoError(t, rc.Save(bg).Err())
	dump := filepath.Join(redisDir, "dump.rdb")

	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.data-download`, chromedp.ByQuery)))
	var saved string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.data-saved`, &saved, chromedp.ByQuery)))
	assert.Equal(t, "Kept in this browser as you go.", saved)
	run(t, ctx, 1, "SET before 1", "OK")

	t.Run("Redis's dump.rdb loads in the page", func(t *testing.T) {
		require.NoError(t, chromedp.Run(ctx, chromedp.SetUploadFiles(`#data-file`, []string{dump}, chromedp.ByQuery)))
		waitJS(t, ctx, `document.querySelector('.data-status').textContent.startsWith('Loaded dump.rdb')`, "the load is reported")
		assert.Contains(t, dataStatus(t, ctx), "Loaded dump.rdb: 45 keys (RDB version 10 by Redis 7.0.15).")
		run(t, ctx, 1, "DBSIZE", "(integer) 15")
		run(t, ctx, 1, "EXISTS before", "(integer) 0") // replaced, not merged
		run(t, ctx, 1, "GET db0:str", `"hello world"`)
		run(t, ctx, 1, "OBJECT ENCODING db0:bighash", `"hashtable"`)
		run(t, ctx, 1, "ZSCORE db0:zset b", `"-2"`)
		out := run(t, ctx, 1, "TTL db0:list", "(integer) ")
		assert.Regexp(t, `\(integer\) 5[34]\d\d`, out)
		run(t, ctx, 1, "XINFO GROUPS db0:stream", `"last-delivered-id"`)
		run(t, ctx, 1, "SELECT 5", "OK")
		run(t, ctx, 1, "LINDEX db5:biglist 299", `"element-299"`)
		run(t, ctx, 1, "SELECT 0", "OK")
		waitPane(t, ctx, "db0:bigzset", `row && row.querySelector('.ks-type-badge').textContent === 'zset'`, "the pane shows the loaded keys")
		shot("loaded-from-redis.png")
	})

	t.Run("the keyspace survives a reload", func(t *testing.T) {
		// The same write on both sides keeps the digests comparable.
		run(t, ctx, 1, "SET typed:in:page ☃", "OK")
		require.NoError(t, rc.Set(bg, "typed:in:page", "☃", 0).Err())
		// The save point (save "1 1") stores it within about two seconds.
		waitStored(t, ctx)
		run(t, ctx, 1, "CONFIG GET save", `2) "1 1"`)
		require.NoError(t, chromedp.Run(ctx,
			chromedp.Reload(),
			chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`.data-download`, chromedp.ByQuery)))
		var kept string
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.data-saved`, &kept, chromedp.ByQuery)))
		assert.Regexp(t, `^Restored 46 keys saved in this browser at `, kept)
		run(t, ctx, 1, "GET typed:in:page", `"\xe2\x98\x83"`)
		run(t, ctx, 1, "HGET db0:bighash field199", `"199"`)
		assert.Contains(t, output(t, ctx, 1), "(restored 46 keys this browser saved at")
	})

	t.Run("the page's dump.rdb loads in redis-server", func(t *testing.T) {
		b := download(t, ctx)
		require.True(t, bytes.HasPrefix(b, []byte("REDIS0010")), "an RDB 10 file")
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "dump.rdb"), b, 0o644))
		if check, err := exec.LookPath("redis-check-rdb"); err == nil {
			out, err := exec.Command(check, filepath.Join(dir, "dump.rdb")).CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), "RDB looks OK")
		}
		got, err := unixRedis(t, dir).Do(bg, "DEBUG", "DIGEST").Text()
		require.NoError(t, err)
		want, err := rc.Do(bg, "DEBUG", "DIGEST").Text()
		require.NoError(t, err)
		assert.Equal(t, want, got, "every key, value and deadline equal")
		assert.Contains(t, dataStatus(t, ctx), "Downloaded dump.rdb (")
	})

	t.Run("SAVE and BGSAVE store the keyspace", func(t *testing.T) {
		n := saves(t, ctx)
		run(t, ctx, 1, "SAVE", "OK")
		waitJS(t, ctx, `Number(document.querySelector('.data-saved').dataset.saves) > `+strconv.Itoa(n), "SAVE stored the dump")
		run(t, ctx, 1, "BGSAVE", "Background saving started")
		waitJS(t, ctx, `Number(document.querySelector('.data-saved').dataset.saves) > `+strconv.Itoa(n+1), "BGSAVE stored the dump")
		for i := 0; ; i++ {
			require.Less(t, i, 100, "BGSAVE never ended")
			out := run(t, ctx, 1, "INFO persistence", "rdb_bgsave_in_progress:")
			if strings.Contains(out, "rdb_bgsave_in_progress:0") {
				assert.Contains(t, out, "rdb_last_bgsave_status:ok")
				assert.Contains(t, out, "rdb_changes_since_last_save:0")
				break
			}
		}
	})

	t.Run("bad files are refused and change nothing", func(t *testing.T) {
		dir := t.TempDir()
		notes := filepath.Join(dir, "notes.txt")
		require.NoError(t, os.WriteFile(notes, []byte("not a dump at all"), 0o644))
		require.NoError(t, chromedp.Run(ctx, chromedp.SetUploadFiles(`#data-file`, []string{notes}, chromedp.ByQuery)))
		waitJS(t, ctx, `document.querySelector('.data-status').textContent.startsWith('notes.txt was not loaded')`, "the refusal is reported")
		assert.Equal(t, "notes.txt was not loaded: Wrong signature trying to load DB from file (it is not an RDB file: a dump.rdb starts with REDIS). The keyspace is unchanged.", dataStatus(t, ctx))
		assert.Contains(t, output(t, ctx, 1), "(notes.txt was not loaded: Wrong signature")

		// Dropped on the page: a dump cut short.
		whole, err := os.ReadFile(dump)
		require.NoError(t, err)
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => {
			const bytes = new Uint8Array(`+jsonBytes(whole[:len(whole)/2])+`);
			const dt = new DataTransfer();
			dt.items.add(new File([bytes], "half.rdb"));
			document.querySelector(".pg-terms").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
		})()`, nil)))
		waitJS(t, ctx, `document.querySelector('.data-status').textContent.startsWith('half.rdb was not loaded')`, "the dropped file's refusal is reported")
		assert.Regexp(t, `\((the file is cut short|the file is damaged or cut short)\)\. The keyspace is unchanged\.$`, dataStatus(t, ctx))
		run(t, ctx, 1, "DBSIZE", "(integer) 16")

		// Dropped whole, it loads.
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => {
			const dt = new DataTransfer();
			dt.items.add(new File([new Uint8Array(`+jsonBytes(whole)+`)], "dump.rdb"));
			document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
		})()`, nil)))
		waitJS(t, ctx, `document.querySelector('.data-status').textContent.startsWith('Loaded dump.rdb')`, "the dropped dump loads")
		run(t, ctx, 1, "DBSIZE", "(integer) 15")
		shot("refused.png")
	})

	t.Run("Reset empties the keyspace and what the browser kept", func(t *testing.T) {
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`.data-reset`, chromedp.ByQuery)))
		var label string
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.data-reset`, &label, chromedp.ByQuery)))
		assert.Equal(t, "Really reset? (FLUSHALL)", label, "one click only asks")
		before := output(t, ctx, 1)
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`.data-reset`, chromedp.ByQuery)))
		waitOutput(t, ctx, 1, len(before), "FLUSHALL\nOK")
		waitStored(t, ctx)
		require.NoError(t, chromedp.Run(ctx,
			chromedp.Reload(),
			chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`.data-download`, chromedp.ByQuery)))
		run(t, ctx, 1, "DBSIZE", "(integer) 0")
	})
}

// jsonBytes writes b as a JS array literal.
func jsonBytes(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Itoa(int(c)))
	}
	sb.WriteByte(']')
	return sb.String()
}
