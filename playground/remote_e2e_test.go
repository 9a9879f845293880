package playground_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
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

// shooter saves full-page screenshots as test artifacts, in
// test-artifacts/<prefix>/ (ignored by git; GOREDIS_ARTIFACTS moves it),
// and logs where.
func shooter(t *testing.T, ctx context.Context, prefix string) func(name string) {
	t.Helper()
	dir := artifactDir(t, prefix)
	return func(name string) {
		t.Helper()
		var png []byte
		require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)))
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, png, 0o644))
		t.Logf("screenshot: %s", p)
	}
}

// artifactDir is a fresh folder for one test's artifacts.
func artifactDir(t *testing.T, name string) string {
	t.Helper()
	root := os.Getenv("GOREDIS_ARTIFACTS")
	if root == "" {
		root = "test-artifacts"
	}
	dir, err := filepath.Abs(filepath.Join(root, strings.TrimSuffix(name, "-")))
	require.NoError(t, err)
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	t.Logf("artifacts in %s", dir)
	return dir
}

// exec runs one command in an in-test session of eng and returns its RESP.
func execIn(s *engine.Session, args ...string) string {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	s.Exec(b)
	return string(s.TakeOutput(nil))
}

// connState waits until the connection control shows state at where.
func connState(ctx context.Context, state, where string) chromedp.Action {
	sel := `.conn-status[data-state="` + state + `"]`
	if where != "" {
		sel += `[data-where="` + where + `"]`
	}
	return chromedp.WaitVisible(sel, chromedp.ByQuery)
}

// TestRemoteMode switches the page's terminal from the in-page engine to
// the server that served it and back, without reloading.
func TestRemoteMode(t *testing.T) {
	ctx := browser(t)
	eng := engine.New(engine.Options{})
	srv := httptest.NewServer(netserver.New(eng, netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	defer srv.Close()
	shot := shooter(t, ctx, "goredis-remote-")
	wsURL := "ws://" + strings.TrimPrefix(srv.URL, "http://") + "/ws"
	server := eng.NewSession(engine.ClientInfo{})

	var url string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		connState(ctx, "connected", "in-page engine"),
		chromedp.Value(`.conn-url`, &url, chromedp.ByQuery),
	))
	assert.Equal(t, wsURL, url, "the default remote is this page's origin + /ws")
	shot("1-in-page.png")

	// The in-page engine has its own keyspace.
	run(t, ctx, 1, `SET local-only 1`, "OK")

	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`.conn-remote`, chromedp.ByQuery),
		connState(ctx, "connected", wsURL),
	))
	var where, prompt string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.conn-status`, &where, chromedp.ByQuery)))
	assert.Contains(t, where, wsURL)
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(term(1, ".term-prompt"), &prompt, chromedp.ByQuery)))
	assert.Equal(t, strings.TrimPrefix(srv.URL, "http://")+">", strings.TrimSpace(prompt), "the prompt names the remote server")

	run(t, ctx, 1, `SET rk "from the browser"`, "OK")
	run(t, ctx, 1, `GET rk`, `"from the browser"`)
	run(t, ctx, 1, `GET local-only`, "(nil)")
	assert.Equal(t, "$16\r\nfrom the browser\r\n", execIn(server, "GET", "rk"), "the key is in the server's engine")
	// Download, Load and Reset act on the in-page engine only.
	var disabled bool
	var kept string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Evaluate(`[".data-download", ".data-load", ".data-reset"].every((s) => document.querySelector(s).disabled)`, &disabled),
		chromedp.Text(`.data-saved`, &kept, chromedp.ByQuery)))
	assert.True(t, disabled, "the in-page data buttons are off while remote")
	assert.Equal(t, "These buttons act on the in-page engine.", kept)

	// The inspector shows the remote exchange as it shows the local one.
	var req, rep string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Text(`.insp-request .insp-table`, &req, chromedp.ByQuery),
		chromedp.Text(`.insp-reply .insp-table`, &rep, chromedp.ByQuery),
	))
	for _, want := range []string{`*2\r\n`, `$3\r\n`, `GET\r\n`, `$10\r\n`, `local-only\r\n`} {
		assert.Contains(t, req, want)
	}
	assert.Contains(t, rep, `$-1\r\n`)
	shot("2-remote.png")

	// The pipelining demo runs on the server the page is connected to.
	checkPipelineDemo(t, ctx, wsURL)
	assert.Equal(t, ":0\r\n", execIn(server, "EXISTS", "demo:pipeline"))
	assert.Contains(t, execIn(server, "INFO", "commandstats"), "cmdstat_incr:calls=200,")

	// A dropped connection comes back by itself, with backoff, showing
	// the state meanwhile.
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => {
		window.connStates = [];
		const s = document.querySelector(".conn-status");
		new MutationObserver(() => window.connStates.push(s.dataset.state + " " + s.textContent)).observe(s, {attributes: true, childList: true, characterData: true, subtree: true});
	})()`, nil)))
	kill := execIn(server, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
	require.True(t, strings.HasPrefix(kill, ":"), kill)
	require.NotEqual(t, ":0\r\n", kill, "the page's connections are clients of the server")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.WaitVisible(`.conn-status.reconnecting`, chromedp.ByQuery),
		connState(ctx, "connected", wsURL),
	))
	var states []string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`window.connStates`, &states)))
	t.Logf("states after CLIENT KILL: %q", states)
	assert.True(t, strings.Contains(strings.Join(states, "\n"), "retrying in"), "the drop is shown: %q", states)
	run(t, ctx, 1, `GET rk`, `"from the browser"`)

	// Back to the in-page engine, in the same page: another keyspace. A
	// command still waiting on the server is given up, not run again.
	before := output(t, ctx, 1)
	require.NoError(t, chromedp.Run(ctx, chromedp.SendKeys(term(1, ".term-input"), "BLPOP nothing 0"+kb.Enter, chromedp.ByQuery)))
	waitOutput(t, ctx, 1, len(before), "BLPOP nothing 0")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`.conn-local`, chromedp.ByQuery),
		connState(ctx, "connected", "in-page engine"),
	))
	run(t, ctx, 1, `GET rk`, "(nil)")
	run(t, ctx, 1, `GET local-only`, `"1"`)
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(term(1, ".term-prompt"), &prompt, chromedp.ByQuery)))
	assert.Equal(t, "in-page>", strings.TrimSpace(prompt), "the prompt says the engine runs in the page")
	assert.NotContains(t, output(t, ctx, 1)[len(before):], "(error)")
	assert.Contains(t, output(t, ctx, 1)[len(before):], "given up")
	assert.Equal(t, "$16\r\nfrom the browser\r\n", execIn(server, "GET", "rk"))
	shot("3-back-in-page.png")

	// A server that does not answer: the control keeps retrying, capped,
	// until the user switches away.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.SetValue(`.conn-url`, "ws://127.0.0.1:1/ws", chromedp.ByQuery),
		chromedp.Click(`.conn-remote`, chromedp.ByQuery),
		chromedp.WaitVisible(`.conn-status.reconnecting`, chromedp.ByQuery),
	))
	shot("4-unreachable.png")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`.conn-local`, chromedp.ByQuery),
		connState(ctx, "connected", "in-page engine"),
	))
	run(t, ctx, 1, `GET local-only`, `"1"`)

	// ?ws starts in remote mode on the page's own server.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/?ws"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		connState(ctx, "connected", wsURL),
	))
	run(t, ctx, 1, `GET rk`, `"from the browser"`)
	shot("5-started-remote.png")
}

// stepDone waits until the tutorial's current step says it is done.
func stepDone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	var status string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.pg-tutorial .step-status`, &status, chromedp.ByQuery)))
		if strings.Contains(status, "✓ Done") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: the step never became done; its status is %q", what, status)
}

// stepTitle waits until the tutorial shows a step titled title.
func stepTitle(ctx context.Context, title string) chromedp.Action {
	return chromedp.Poll(`document.querySelector(".pg-tutorial h2")?.textContent === `+strconv.Quote(title), nil, chromedp.WithPollingTimeout(15*time.Second))
}

// clickRun clicks the i-th (1-based) run button of the current step and
// waits for what it prints in terminal 1.
func clickRun(t *testing.T, ctx context.Context, i int, want string) {
	t.Helper()
	before := output(t, ctx, 1)
	require.NoError(t, chromedp.Run(ctx, clickNow(`.pg-tutorial .run-cmd:nth-of-type(`+strconv.Itoa(i)+`)`)))
	waitOutput(t, ctx, 1, len(before), want)
}

// clickNow clicks the element sel finds once it is visible, as the DOM has
// it at that moment: a mouse click at coordinates taken a moment earlier
// can miss a button the step just re-rendered or scrolled (seen on a
// loaded CI machine).
func clickNow(sel string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(`+strconv.Quote(sel)+`).click()`, nil),
	}
}

func next(t *testing.T, ctx context.Context, title string) {
	t.Helper()
	require.NoError(t, chromedp.Run(ctx, clickNow(`.pg-tutorial .step-nav .next`), stepTitle(ctx, title)))
}

// TestTutorialInBrowser completes the strings lesson and the protocol
// lesson as a learner would: clicking run buttons, typing, pasting.
func TestTutorialInBrowser(t *testing.T) {
	ctx := browser(t)
	srv := httptest.NewServer(netserver.New(engine.New(engine.Options{}), netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	defer srv.Close()
	shot := shooter(t, ctx, "goredis-tutorial-")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/#/lesson/strings/1"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		stepTitle(ctx, "Store a value"),
	))

	doLessons(t, ctx, shot, "")
	// The same lessons over the WebSocket bridge, on a fresh progress.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Evaluate(`localStorage.removeItem("goredis.tutorial.progress")`, nil),
		chromedp.Navigate(srv.URL+"/?ws#/lesson/strings/1"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		connState(ctx, "connected", "ws://"+strings.TrimPrefix(srv.URL, "http://")+"/ws"),
		stepTitle(ctx, "Store a value"),
	))
	doLessons(t, ctx, shot, "remote-")
}

// doLessons completes the strings lesson, from its first step on screen,
// then the protocol lesson.
func doLessons(t *testing.T, ctx context.Context, shot func(string), prefix string) {
	t.Run(prefix+"strings", func(t *testing.T) {
		clickRun(t, ctx, 1, "OK")
		stepDone(t, ctx, "store a value")
		shot(prefix + "strings-1.png")
		next(t, ctx, "Read it back")
		run(t, ctx, 1, "GET greeting", `"Hello, Redis"`)
		stepDone(t, ctx, "read it back")
		shot(prefix + "strings-2.png")
		next(t, ctx, "Only if missing")
		run(t, ctx, 1, `SET greeting "Goodbye" NX`, "(nil)")
		stepDone(t, ctx, "only if missing")
		shot(prefix + "strings-3.png")
		next(t, ctx, "Delete it")
		clickRun(t, ctx, 1, "(integer) 1")
		stepDone(t, ctx, "delete it")
		shot(prefix + "strings-4.png")
		var progress string
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`localStorage.getItem("goredis.tutorial.progress")`, &progress)))
		assert.Contains(t, progress, `"strings":[0,1,2,3]`)
	})

	t.Run(prefix+"resp", func(t *testing.T) {
		require.NoError(t, chromedp.Run(ctx,
			chromedp.Evaluate(`location.hash = "#/lesson/resp/1"`, nil),
			stepTitle(ctx, "How a command is encoded")))
		clickRun(t, ctx, 1, `"hi"`)
		stepDone(t, ctx, "ECHO hi")
		var req string
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.insp-request .insp-table`, &req, chromedp.ByQuery)))
		assert.Contains(t, req, `$4\r\n`)
		assert.Contains(t, req, `ECHO\r\n`)
		shot(prefix + "resp-1.png")

		next(t, ctx, "Reply types")
		clickRun(t, ctx, 1, "PONG")
		clickRun(t, ctx, 2, "(integer) 1")
		clickRun(t, ctx, 3, `"1"`)
		clickRun(t, ctx, 4, "(empty array)")
		clickRun(t, ctx, 5, "(error) ERR wrong number of arguments for 'get' command")
		stepDone(t, ctx, "reply types")
		shot(prefix + "resp-2.png")

		next(t, ctx, "RESP3")
		run(t, ctx, 1, "HELLO 3", `"proto" => (integer) 3`)
		stepDone(t, ctx, "HELLO 3")
		shot(prefix + "resp-3.png")

		next(t, ctx, "Pipelining")
		in := term(1, ".term-input")
		before := output(t, ctx, 1)
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => {
			const dt = new DataTransfer();
			dt.setData("text/plain", "SET a 1\nSET b 2\nMGET a b\n");
			document.querySelector(`+strconv.Quote(in)+`).dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
		})()`, nil)))
		waitOutput(t, ctx, 1, len(before), "1) \"1\"\n2) \"2\"")
		stepDone(t, ctx, "pipelining")
		shot(prefix + "resp-4.png")

		next(t, ctx, "Inline commands")
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#raw-mode`, chromedp.ByQuery)))
		run(t, ctx, 1, `*2\r\n$4\r\nECHO\r\n$3\r\nraw\r\n`, `"raw"`)
		stepDone(t, ctx, "raw ECHO")
		shot(prefix + "resp-5.png")

		next(t, ctx, "A protocol error")
		clickRun(t, ctx, 1, "Protocol error")
		stepDone(t, ctx, "protocol error")
		shot(prefix + "resp-6.png")
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#raw-mode`, chromedp.ByQuery)))
		// The terminal goes on, on a new connection.
		run(t, ctx, 1, "PING", "PONG")
	})
}
