package playground_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
	"github.com/goredis-dev/goredis/playground"
)

// browser starts headless Chromium on a fresh profile, or skips.
func browser(t testing.TB) context.Context {
	t.Helper()
	return browserWithin(t, 3*time.Minute)
}

// browserWithin is browser for a test that may take up to limit.
func browserWithin(t testing.TB, limit time.Duration) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		p, err := exec.LookPath("chromium")
		if err != nil {
			t.Skip("chromium is not installed (apt-get install chromium, or make deps): browser tests skipped")
		}
		path = p
	}
	if _, err := fs.Stat(playground.Files(), "wasm/goredis.wasm"); err != nil {
		t.Skip("the wasm engine is not embedded: run make wasm before go test")
	}
	// A fresh profile, removed after the browser has gone (t.TempDir would
	// fail the test when Chromium still writes to it while exiting).
	profile, err := os.MkdirTemp("", "goredis-chromium-")
	require.NoError(t, err)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 20; i++ {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return ctx
}

// term is the CSS selector of terminal n (1-based).
func term(n int, sel string) string {
	return ".pg-terms > .term:nth-child(" + string(rune('0'+n)) + ") " + sel
}

// run types a command line in terminal n and waits until the output it
// adds contains want; it returns that new output.
func run(t *testing.T, ctx context.Context, n int, line, want string) string {
	t.Helper()
	before := output(t, ctx, n)
	require.NoError(t, chromedp.Run(ctx, chromedp.SendKeys(term(n, ".term-input"), line+kb.Enter, chromedp.ByQuery)))
	return waitOutput(t, ctx, n, len(before), want)
}

func output(t *testing.T, ctx context.Context, n int) string {
	t.Helper()
	var out string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(term(n, ".term-out"), &out, chromedp.ByQuery)))
	return out
}

// waitOutput waits until terminal n's output after its first skip bytes
// contains want.
func waitOutput(t *testing.T, ctx context.Context, n, skip int, want string) string {
	t.Helper()
	var out string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out = output(t, ctx, n)
		if len(out) >= skip && strings.Contains(out[skip:], want) {
			return out[skip:]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("terminal %d: new output never contained %q; the output is:\n%s", n, want, out)
	return out
}

func TestPlaygroundInBrowser(t *testing.T) {
	ctx := browser(t)
	srv := httptest.NewServer(netserver.New(engine.New(engine.Options{}), netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	defer srv.Close()
	shot := shooter(t, ctx, "playground")

	// Page-ready time: navigation start to the first prompt accepting
	// input (wasm fetched, compiled and started, session open).
	start := time.Now()
	var readyMs float64
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		chromedp.Evaluate(`window.goredisReadyMs`, &readyMs),
	))
	t.Logf("page ready %.0f ms after navigation start (%.0f ms wall clock)", readyMs, float64(time.Since(start).Milliseconds()))
	assert.Less(t, readyMs, 15000.0)
	var wasm map[string]any
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => { const e = performance.getEntriesByType("resource").find((e) => e.name.endsWith("goredis.wasm")); return {transfer: e.transferSize, decoded: e.decodedBodySize, ms: e.duration}; })()`, &wasm)))
	t.Logf("goredis.wasm: %v bytes transferred, %v decoded, fetched in %v ms", wasm["transfer"], wasm["decoded"], wasm["ms"])

	var prompt string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(term(1, ".term-prompt"), &prompt, chromedp.ByQuery)))
	assert.Equal(t, "in-page>", strings.TrimSpace(prompt))

	t.Run("replies formatted as redis-cli", func(t *testing.T) {
		run(t, ctx, 1, `SET k "a\x00b"`, "OK")
		run(t, ctx, 1, `GET k`, `"a\x00b"`)
		run(t, ctx, 1, `GET nokey`, "(nil)")
		run(t, ctx, 1, `DBSIZE`, "(integer) 1")
		run(t, ctx, 1, `EXISTS`, "(error) ERR wrong number of arguments for 'exists' command")
		run(t, ctx, 1, `SET "unbalanced`, "Invalid argument(s)")
		out := run(t, ctx, 1, `HELLO 3`, `1# "server" => "GoRedis"`)
		assert.Contains(t, out, `7# "modules" => (empty array)`)
		run(t, ctx, 1, `HELLO 2`, `1) "server"`)
		// After QUIT the next command runs on a new connection.
		run(t, ctx, 1, `QUIT`, "OK")
		run(t, ctx, 1, `PING`, "PONG")
	})

	t.Run("text replies printed as redis-cli prints them", func(t *testing.T) {
		// redis-cli prints INFO, CLIENT LIST and the like raw, as lines of
		// text (errors too, without "(error)"); any other bulk string quoted.
		out := run(t, ctx, 1, `INFO keyspace`, "# Keyspace\ndb0:keys=1,expires=0,avg_ttl=0")
		assert.NotContains(t, out, `\r\n`)
		assert.NotContains(t, out, `"`)
		out = run(t, ctx, 1, `CLIENT LIST`, "id=")
		assert.Regexp(t, `(?m)^id=\d+ addr=\S+ laddr=`, out)
		assert.NotContains(t, out, `"id=`)
		out = run(t, ctx, 1, `CLIENT LIST xx`, "ERR syntax error")
		assert.NotContains(t, out, "(error)")
		run(t, ctx, 1, `SET nl "a\nb"`, "OK")
		run(t, ctx, 1, `GET nl`, `"a\nb"`)
		run(t, ctx, 1, `DEL nl`, "(integer) 1")
		run(t, ctx, 1, `HELLO 3`, `"proto" => (integer) 3`)
		out = run(t, ctx, 1, `INFO keyspace`, "# Keyspace\ndb0:keys=1,expires=0,avg_ttl=0")
		assert.NotContains(t, out, "txt:", "a verbatim string without its format prefix")
		out = run(t, ctx, 1, `CLIENT INFO`, "resp=3")
		assert.Regexp(t, `(?m)^id=\d+ `, out)
		run(t, ctx, 1, `HELLO 2`, `1) "server"`)
	})

	t.Run("inspector shows the bytes", func(t *testing.T) {
		run(t, ctx, 1, `GET k`, `"a\x00b"`)
		var req, rep string
		require.NoError(t, chromedp.Run(ctx,
			chromedp.Text(`.insp-request .insp-table`, &req, chromedp.ByQuery),
			chromedp.Text(`.insp-reply .insp-table`, &rep, chromedp.ByQuery),
		))
		for _, want := range []string{`*2\r\n`, `$3\r\n`, `GET\r\n`, `$1\r\n`, `k\r\n`, "Array of 2 bulk strings"} {
			assert.Contains(t, req, want)
		}
		for _, want := range []string{`$3\r\n`, `a\x00b\r\n`, "Bulk string header: 3 bytes follow"} {
			assert.Contains(t, rep, want)
		}
	})

	t.Run("prompt follows SELECT and MULTI", func(t *testing.T) {
		run(t, ctx, 1, `SELECT 1`, "OK")
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(term(1, ".term-prompt"), &prompt, chromedp.ByQuery)))
		assert.Equal(t, "in-page[1]>", strings.TrimSpace(prompt))
		run(t, ctx, 1, `MULTI`, "OK")
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(term(1, ".term-prompt"), &prompt, chromedp.ByQuery)))
		assert.Equal(t, "in-page[1](TX)>", strings.TrimSpace(prompt))
		run(t, ctx, 1, `DISCARD`, "OK")
		run(t, ctx, 1, `SELECT 0`, "OK")
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(term(1, ".term-prompt"), &prompt, chromedp.ByQuery)))
		assert.Equal(t, "in-page>", strings.TrimSpace(prompt))
	})

	t.Run("history, completion, hints, help", func(t *testing.T) {
		in := term(1, ".term-input")
		var v, hint string
		require.NoError(t, chromedp.Run(ctx,
			chromedp.SendKeys(in, kb.ArrowUp, chromedp.ByQuery),
			chromedp.Value(in, &v, chromedp.ByQuery)))
		assert.Equal(t, "SELECT 0", v)
		require.NoError(t, chromedp.Run(ctx,
			chromedp.SendKeys(in, kb.ArrowUp, chromedp.ByQuery),
			chromedp.Value(in, &v, chromedp.ByQuery)))
		assert.Equal(t, "DISCARD", v)
		require.NoError(t, chromedp.Run(ctx,
			clearInput(in),
			chromedp.SendKeys(in, "dbs"+kb.Tab, chromedp.ByQuery),
			chromedp.Value(in, &v, chromedp.ByQuery)))
		assert.Equal(t, "dbsize", v)
		require.NoError(t, chromedp.Run(ctx,
			clearInput(in),
			chromedp.SendKeys(in, "SET k ", chromedp.ByQuery),
			chromedp.Text(term(1, ".term-hint"), &hint, chromedp.ByQuery)))
		assert.Equal(t, "value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]", hint)
		// Ctrl-R finds "GET nokey" from "nok".
		require.NoError(t, chromedp.Run(ctx,
			clearInput(in),
			chromedp.KeyEvent("r", chromedp.KeyModifiers(2)), // 2 = Ctrl
			chromedp.SendKeys(in, "nok", chromedp.ByQuery),
			chromedp.Value(in, &v, chromedp.ByQuery),
			chromedp.Text(term(1, ".term-prompt"), &prompt, chromedp.ByQuery)))
		assert.Equal(t, "GET nokey", v)
		assert.Equal(t, "(reverse-i-search)`nok':", strings.TrimSpace(prompt))
		require.NoError(t, chromedp.Run(ctx, chromedp.SendKeys(in, kb.Escape, chromedp.ByQuery)))
		require.NoError(t, chromedp.Run(ctx, clearInput(in)))
		run(t, ctx, 1, `HELP SET`, "SET key value [NX|XX] [GET]")
		out := run(t, ctx, 1, `HELP @string`, "GET key")
		assert.Contains(t, out, "SET key value")
		assert.NotContains(t, out, "DBSIZE")
		// A multi-line paste runs each line; the last stays editable.
		before := output(t, ctx, 1)
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => {
			const dt = new DataTransfer();
			dt.setData("text/plain", "SET p1 one\nGET p1\nGET p");
			document.querySelector(`+strconv.Quote(in)+`).dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
		})()`, nil)))
		pasted := waitOutput(t, ctx, 1, len(before), `"one"`)
		assert.Contains(t, pasted, "SET p1 one\nOK\n")
		require.NoError(t, chromedp.Run(ctx, chromedp.Value(in, &v, chromedp.ByQuery)))
		assert.Equal(t, "GET p", v)
		require.NoError(t, chromedp.Run(ctx, clearInput(in)))
		var stored string
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`localStorage.getItem("goredis.history")`, &stored)))
		assert.Contains(t, stored, `"GET nokey"`)
	})

	t.Run("raw RESP mode", func(t *testing.T) {
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#raw-mode`, chromedp.ByQuery)))
		run(t, ctx, 1, `*1\r\n$4\r\nPING\r\n`, "PONG")
		// Shift+Enter sends the line as typed; Enter adds CR LF.
		before := output(t, ctx, 1)
		require.NoError(t, chromedp.Run(ctx,
			chromedp.SendKeys(term(1, ".term-input"), `*1\r\n$4\r\nPI`, chromedp.ByQuery),
			chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(input.ModifierShift))))
		waitOutput(t, ctx, 1, len(before), "no complete command yet")
		out := run(t, ctx, 1, `NG`, "PONG")
		assert.Contains(t, out, `NG\r\n`, "the echo shows the CR LF Enter added")
		var req string
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.insp-request`, &req, chromedp.ByQuery)))
		assert.Contains(t, req, "(4 bytes)", "the inspector shows the bytes sent: N G CR LF")
		// The button sends without CR LF too.
		before = output(t, ctx, 1)
		require.NoError(t, chromedp.Run(ctx,
			chromedp.SendKeys(term(1, ".term-input"), `*1\r\n$4\r\nPING`, chromedp.ByQuery),
			chromedp.Click(term(1, ".term-send-raw"), chromedp.ByQuery)))
		waitOutput(t, ctx, 1, len(before), "no complete command yet")
		run(t, ctx, 1, ``, "PONG")
		run(t, ctx, 1, `PING`, "PONG") // an inline command: PING CR LF
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#raw-mode`, chromedp.ByQuery)))
	})

	t.Run("two clients share the keyspace", func(t *testing.T) {
		require.NoError(t, chromedp.Run(ctx,
			chromedp.Click(`.new-client`, chromedp.ByQuery),
			chromedp.WaitVisible(term(2, ".term-input"), chromedp.ByQuery)))
		run(t, ctx, 2, `GET k`, `"a\x00b"`)
		var hasBlpop bool
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`goredis.commands().some(c => c.name === "BLPOP")`, &hasBlpop)))
		if !hasBlpop {
			t.Skip("BLPOP is not in this build's command table yet: blocking across clients not checked")
		}
		before := output(t, ctx, 2)
		require.NoError(t, chromedp.Run(ctx, chromedp.SendKeys(term(2, ".term-input"), "BLPOP q 0"+kb.Enter, chromedp.ByQuery)))
		waitOutput(t, ctx, 2, len(before), "BLPOP q 0")
		time.Sleep(200 * time.Millisecond)
		assert.NotContains(t, output(t, ctx, 2)[len(before):], `"hello"`, "BLPOP waits")
		run(t, ctx, 1, `LPUSH q hello`, "(integer) 1")
		waitOutput(t, ctx, 2, len(before), "1) \"q\"\n2) \"hello\"")

		// pub/sub between the two terminals: messages show as they arrive
		before = output(t, ctx, 2)
		require.NoError(t, chromedp.Run(ctx, chromedp.SendKeys(term(2, ".term-input"), "SUBSCRIBE news"+kb.Enter, chromedp.ByQuery)))
		waitOutput(t, ctx, 2, len(before), "(integer) 1")
		run(t, ctx, 1, `PUBLISH news "hi there"`, "(integer) 1")
		waitOutput(t, ctx, 2, len(before), "\"hi there\"")
		assert.Contains(t, output(t, ctx, 2)[len(before):], "\"message\"")
	})

	t.Run("pipelining demo", func(t *testing.T) {
		checkPipelineDemo(t, ctx, "in-page engine")
		run(t, ctx, 1, `EXISTS demo:pipeline`, "(integer) 0")
	})

	var theme, toggled string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.dataset.theme`, &theme)))
	shot("playground-" + theme + ".png")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`.theme-toggle`, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.dataset.theme`, &toggled)))
	assert.NotEqual(t, theme, toggled)
	shot("playground-" + toggled + ".png")
	require.NoError(t, chromedp.Run(ctx, chromedp.EmulateViewport(420, 900)))
	shot("playground-narrow.png")
}

// checkPipelineDemo opens the pipelining panel, runs 100 commands one by
// one and pipelined, and checks the table and the verdict.
func checkPipelineDemo(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	var verdict string
	var rows, rates []string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`.pipeline-toggle`, chromedp.ByQuery),
		chromedp.WaitVisible(`.pg-pipeline`, chromedp.ByQuery),
		chromedp.SetValue(`#pipeline-n`, "100", chromedp.ByQuery),
		chromedp.Click(`.pipeline-run`, chromedp.ByQuery),
		chromedp.WaitVisible(`.pipeline-table tbody tr:nth-child(2)`, chromedp.ByQuery),
		chromedp.Text(`.pipeline-verdict`, &verdict, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll(".pipeline-table tbody th")].map(e => e.textContent)`, &rows),
		chromedp.Evaluate(`[...document.querySelectorAll(".pipeline-table tbody td:nth-child(2)")].map(e => e.textContent)`, &rates),
	))
	assert.Equal(t, []string{"one by one", "pipelined"}, rows)
	assert.Equal(t, []string{"100", "1"}, rates, "round trips")
	assert.Contains(t, verdict, "faster on "+where)
	assert.Contains(t, verdict, "The counter reached 200")
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(`.pipeline-toggle`, chromedp.ByQuery)))
}

// clearInput empties an input the way typing would (an input event).
func clearInput(sel string) chromedp.Action {
	return chromedp.Evaluate(`(() => { const e = document.querySelector(`+strconv.Quote(sel)+`); e.value = ""; e.dispatchEvent(new Event("input")); })()`, nil)
}

// TestRepoRootPage loads index.html from the repository root through a
// plain static file server, as a static host would serve the repository.
func TestRepoRootPage(t *testing.T) {
	ctx := browser(t)
	if _, err := os.Stat("wasm/goredis.wasm"); err != nil {
		t.Skip("playground/wasm is not built: run make wasm")
	}
	srv := httptest.NewServer(http.FileServer(http.Dir("..")))
	defer srv.Close()
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/index.html"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
	))
	run(t, ctx, 1, "PING", "PONG")
	run(t, ctx, 1, "ECHO \"a\\tb\"", `"a\tb"`)
}
