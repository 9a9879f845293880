package playground_test

import (
	"context"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
)

const ks = `[role="region"][aria-label="Keyspace"]`

// paneKeys lists the key names the Keyspace region shows.
func paneKeys(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var names []string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll('`+ks+` .ks-row')].map((r) => r.dataset.key)`, &names)))
	return names
}

// waitPane waits until the Keyspace region's JS condition on row (the
// row of key, or null) holds.
func waitPane(t *testing.T, ctx context.Context, key, cond, what string) {
	t.Helper()
	js := `(() => { const row = [...document.querySelectorAll('` + ks + ` .ks-row')].find((r) => r.dataset.key === ` + strconv.Quote(key) + `) || null; return ` + cond + `; })()`
	err := chromedp.Run(ctx, chromedp.Poll(js, nil, chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err, "%s; the pane shows %q", what, paneKeys(t, ctx))
}

func selectKey(t *testing.T, ctx context.Context, key string) string {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Evaluate(`[...document.querySelectorAll('`+ks+` .ks-row')].find((r) => r.dataset.key === `+strconv.Quote(key)+`).click()`, nil),
		chromedp.Poll(`document.querySelector('`+ks+` .ks-detail h3')?.textContent === `+strconv.Quote(key)+` && !!document.querySelector('`+ks+` .ks-detail .pic')`, nil, chromedp.WithPollingTimeout(10*time.Second)))
	var s string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('`+ks+` .ks-detail').innerText`, &s)))
	require.NoError(t, err, "selecting %s; the pane shows %q, the detail %q", key, paneKeys(t, ctx), s)
	return s
}

// TestKeyspacePane: the Keyspace region follows writes from both
// terminals, drops deleted and expired keys, draws each type, teaches an
// encoding change, runs its actions as terminal commands and keeps its
// own queries out of the terminal and the inspector.
func TestKeyspacePane(t *testing.T) {
	ctx := browserWithin(t, 5*time.Minute)
	srv := httptest.NewServer(netserver.New(engine.New(engine.Options{}), netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	defer srv.Close()
	shot := shooter(t, ctx, "keyspace")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(ks+` .ks-live`, chromedp.ByQuery),
	))

	run(t, ctx, 1, `SET greeting hello`, "OK")
	waitPane(t, ctx, "greeting", `row && row.innerText.includes("string") && row.innerText.includes("embstr")`, "a key set in terminal 1 appears")
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(`.new-client`, chromedp.ByQuery), chromedp.WaitVisible(term(2, ".term-input"), chromedp.ByQuery)))
	run(t, ctx, 2, `RPUSH queue a b c`, "(integer) 3")
	waitPane(t, ctx, "queue", `row && row.innerText.includes("list")`, "a key written by terminal 2 appears")

	// The pane's own commands stay out of the terminal and the inspector.
	var who string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.insp-who`, &who, chromedp.ByQuery)))
	assert.Equal(t, "Last exchange: client 2", who)
	out := run(t, ctx, 1, `CLIENT LIST`, "name=keyspace-explorer")
	assert.Equal(t, 2, strings.Count(out, "name=keyspace-explorer"), "two connections named keyspace-explorer:\n%s", out)
	assert.NotContains(t, output(t, ctx, 1), "SCAN")

	// Deleted and expired keys leave; a TTL counts down.
	run(t, ctx, 2, `SET doomed x`, "OK")
	waitPane(t, ctx, "doomed", `!!row`, "doomed appears")
	run(t, ctx, 2, `DEL doomed`, "(integer) 1")
	waitPane(t, ctx, "doomed", `!row`, "a deleted key leaves")
	run(t, ctx, 1, `SET session abc EX 3000`, "OK")
	waitPane(t, ctx, "session", `row && /\b(2999|3000) s/.test(row.innerText)`, "a TTL shows")
	run(t, ctx, 1, `SET flash x PX 700`, "OK")
	waitPane(t, ctx, "flash", `!!row`, "flash appears")
	waitPane(t, ctx, "flash", `!row`, "an expired key leaves")

	// Pictures of each type.
	run(t, ctx, 1, `HSET user:1 name Ada lang Go`, "(integer) 2")
	run(t, ctx, 1, `SADD tags redis go wasm`, "(integer) 3")
	run(t, ctx, 1, `ZADD board 120 ada 95 linus 300 grace`, "(integer) 3")
	run(t, ctx, 1, `SET visits 41`, "OK")
	run(t, ctx, 1, `PFADD visitors u1 u2 u3 u4`, "(integer) 1")
	run(t, ctx, 1, `GEOADD places 13.361389 38.115556 Palermo 15.087269 37.502669 Catania`, "(integer) 2")
	run(t, ctx, 1, `SETBIT flags 7 1`, "(integer) 0")
	run(t, ctx, 1, `XADD events 1-1 type click page home`, `"1-1"`)
	run(t, ctx, 1, `XADD events 2-0 type view`, `"2-0"`)
	run(t, ctx, 1, `XGROUP CREATE events workers 1-1`, "OK")
	for _, c := range []struct{ key, want, svg string }{
		{"queue", "head (LPUSH/LPOP)", `.pic-list svg`},
		{"user:1", "Ada", `.pic-hash table`},
		{"tags", "3 members", `.pic-set svg`},
		{"board", "#1", `.pic-zset svg`},
		{"visits", "an integer", `.pic-counter`},
		{"greeting", "bytes in hex", `.pic-bytes`},
		{"visitors", "HyperLogLog, sparse encoding", `.pic-hll-grid`},
		{"places", "a geo set", `.pic-geo`},
		{"flags", "bit 0 first", `.pic-bit.on`},
		{"events", "group workers: delivered up to 1-1, 0 pending", `.pic-stream svg`},
	} {
		detail := selectKey(t, ctx, c.key)
		assert.Contains(t, detail, c.want, c.key)
		var n int
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll('`+ks+` .ks-detail `+c.svg+`').length`, &n)))
		assert.Equal(t, 1, n, "%s is drawn (%s)", c.key, c.svg)
		shot("type-" + strings.ReplaceAll(c.key, ":", "-") + ".png")
	}
	selectKey(t, ctx, "board")
	var ranked []string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll('`+ks+` .pic-zset .pic-value')].map((e) => e.firstChild.textContent)`, &ranked)))
	assert.Equal(t, []string{"grace", "ada", "linus"}, ranked, "ranked by score, highest first")

	// An encoding change is explained with the limit crossed.
	selectKey(t, ctx, "user:1")
	run(t, ctx, 1, `HSET user:1 bio "`+strings.Repeat("x", 80)+`"`, "(integer) 1")
	var notice string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Poll(`document.querySelector('`+ks+` .ks-notice').textContent.includes("hashtable")`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(ks+` .ks-notice`, &notice, chromedp.ByQuery)))
	assert.Contains(t, notice, "listpack → hashtable")
	assert.Contains(t, notice, "hash-max-listpack-value (64 bytes)")
	shot("encoding-change.png")

	// Actions print their command in terminal 1, then run it there.
	selectKey(t, ctx, "tags")
	before := output(t, ctx, 1)
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(ks+` .ks-del`, chromedp.ByQuery)))
	out = waitOutput(t, ctx, 1, len(before), "(integer) 1")
	assert.Contains(t, out, "in-page> DEL tags")
	waitPane(t, ctx, "tags", `!row`, "the deleted key leaves")
	selectKey(t, ctx, "greeting")
	before = output(t, ctx, 1)
	require.NoError(t, chromedp.Run(ctx,
		chromedp.SendKeys(ks+` .ks-ttl-in`, "100"+kb.Enter, chromedp.ByQuery)))
	out = waitOutput(t, ctx, 1, len(before), "(integer) 1")
	assert.Contains(t, out, "EXPIRE greeting 100")
	// Any count down from 100 s (a busy machine may take seconds here).
	waitPane(t, ctx, "greeting", `row && /\b([1-9]\d?|100) s/.test(row.innerText)`, "the new TTL shows")

	// Keyboard: the list is a listbox moved with the arrows.
	require.NoError(t, chromedp.Run(ctx, chromedp.Focus(ks+` .ks-list`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.Home), chromedp.KeyEvent(kb.ArrowDown)))
	// The list redraws on the next animation frame, so wait for the active row to move.
	second := paneKeys(t, ctx)[1]
	activeKey := `document.getElementById(document.querySelector('` + ks + ` .ks-list').getAttribute("aria-activedescendant"))?.dataset.key`
	var active string
	err := chromedp.Run(ctx, chromedp.Poll(activeKey+` === `+strconv.Quote(second), nil, chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(activeKey+` ?? ""`, &active)))
	assert.NoError(t, err)
	assert.Equal(t, second, active)

	// Filters: a glob and a type.
	filter := func(pattern, typ string, want []string) {
		t.Helper()
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => {
			const f = document.querySelector('`+ks+` .ks-filter'), s = document.querySelector('`+ks+` .ks-type');
			f.value = `+strconv.Quote(pattern)+`; f.dispatchEvent(new Event("input"));
			s.value = `+strconv.Quote(typ)+`; s.dispatchEvent(new Event("change"));
		})()`, nil)))
		require.NoError(t, chromedp.Run(ctx, chromedp.Poll(`[...document.querySelectorAll('`+ks+` .ks-row')].map((r) => r.dataset.key).join("\n") === `+strconv.Quote(strings.Join(want, "\n")), nil, chromedp.WithPollingTimeout(10*time.Second))), "%s %s: %q", pattern, typ, paneKeys(t, ctx))
		assert.Equal(t, want, paneKeys(t, ctx))
	}
	filter("user:*", "", []string{"user:1"})
	filter("*", "list", []string{"queue"})
	filter("*", "stream", []string{"events"})
	filter("*", "", []string{"board", "events", "flags", "greeting", "places", "queue", "session", "user:1", "visitors", "visits"})

	// SELECT in the terminal moves the pane to that database.
	run(t, ctx, 1, `SELECT 2`, "OK")
	run(t, ctx, 1, `SET in-db-2 yes`, "OK")
	waitPane(t, ctx, "in-db-2", `!!row`, "the pane follows SELECT")
	assert.NotContains(t, paneKeys(t, ctx), "queue")
	var db string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(ks+` .ks-db`, &db, chromedp.ByQuery)))
	assert.Equal(t, "db 2", db)
	run(t, ctx, 1, `SELECT 0`, "OK")
	waitPane(t, ctx, "queue", `!!row`, "back to db 0")
	shot("1280x800.png")

	require.NoError(t, chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Evaluate(`document.querySelector('`+ks+`').scrollIntoView()`, nil)))
	var w float64
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.scrollWidth`, &w)))
	assert.LessOrEqual(t, w, 390.0, "nothing wider than the phone")
	shot("390x844.png")
}

// TestKeyspacePaneRemote: over the bridge, the pane follows a plain TCP
// client's writes and the server's expiry.
func TestKeyspacePaneRemote(t *testing.T) {
	ctx := browserWithin(t, 5*time.Minute)
	srvr := netserver.New(engine.New(engine.Options{}), netserver.Options{Addr: "127.0.0.1:0"})
	require.NoError(t, srvr.Listen())
	go func() { _ = srvr.Serve() }()
	defer srvr.Close()
	web := httptest.NewServer(srvr.HTTPHandler(netserver.WSOptions{}))
	defer web.Close()
	shot := shooter(t, ctx, "keyspace-remote")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(web.URL+"/?ws"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		connState(ctx, "connected", "ws://"+strings.TrimPrefix(web.URL, "http://")+"/ws"),
		chromedp.Poll(`document.querySelector('`+ks+` .ks-live').textContent.includes("live")`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	))
	c, err := net.Dial("tcp", srvr.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	send := func(cmd string) {
		_, err := c.Write([]byte(cmd + "\r\n"))
		require.NoError(t, err)
		buf := make([]byte, 512)
		_, err = c.Read(buf)
		require.NoError(t, err)
	}
	send("SET from-tcp 1")
	waitPane(t, ctx, "from-tcp", `!!row`, "a TCP client's key appears")
	send("ZADD tcp-board 1 a 2 b")
	waitPane(t, ctx, "tcp-board", `row && row.innerText.includes("zset")`, "a TCP client's sorted set appears")
	send("SET short-lived x PX 500")
	waitPane(t, ctx, "short-lived", `!!row`, "short-lived appears")
	waitPane(t, ctx, "short-lived", `!row`, "the server's expiry removes it")
	send("DEL from-tcp")
	waitPane(t, ctx, "from-tcp", `!row`, "a TCP DEL removes it")
	shot("remote.png")
}

// TestKeyspacePaneSandbox: on a server in sandbox mode (each visitor a
// private keyspace) the pane shows the page's own keyspace, follows the
// terminal's writes through CLIENT TRACKING (CONFIG is refused there), and
// never shows another visitor's keys or the server's own.
func TestKeyspacePaneSandbox(t *testing.T) {
	ctx := browserWithin(t, 5*time.Minute)
	srvr := netserver.New(engine.New(engine.Options{}), netserver.Options{Addr: "127.0.0.1:0"})
	require.NoError(t, srvr.Listen())
	go func() { _ = srvr.Serve() }()
	defer srvr.Close()
	web := httptest.NewServer(srvr.HTTPHandler(netserver.WSOptions{Sandbox: engine.DefaultSandbox()}))
	defer web.Close()
	shot := shooter(t, ctx, "keyspace-sandbox")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(web.URL+"/?ws"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		connState(ctx, "connected", "ws://"+strings.TrimPrefix(web.URL, "http://")+"/ws"),
		chromedp.Poll(`document.querySelector('`+ks+` .ks-live').textContent.includes("client tracking")`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	))
	// The server's own keyspace (a TCP client) and another visitor's.
	c, err := net.Dial("tcp", srvr.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("SET server-key 1\r\n"))
	require.NoError(t, err)
	buf := make([]byte, 16)
	_, err = c.Read(buf)
	require.NoError(t, err)

	run(t, ctx, 1, "SET mine 1", "OK")
	waitPane(t, ctx, "mine", `row && row.innerText.includes("string")`, "the visitor's key appears")
	run(t, ctx, 1, "RPUSH my-list a b c", "(integer) 3")
	waitPane(t, ctx, "my-list", `row && row.innerText.includes("list")`, "a second key appears")
	detail := selectKey(t, ctx, "my-list")
	assert.Contains(t, detail, "quicklist", "its facts come from the same keyspace (OBJECT ENCODING)")
	run(t, ctx, 1, "DEL mine", "(integer) 1")
	waitPane(t, ctx, "mine", `!row`, "a deleted key leaves")
	run(t, ctx, 1, "SET brief x PX 300", "OK")
	waitPane(t, ctx, "brief", `!!row`, "a key with a deadline appears")
	waitPane(t, ctx, "brief", `!row`, "its expiry removes it")
	assert.Equal(t, []string{"my-list"}, paneKeys(t, ctx), "only the visitor's own keys")
	var size string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(ks+` .ks-count`, &size, chromedp.ByQuery)))
	assert.Equal(t, "1 key", size)
	shot("sandbox.png")
}
