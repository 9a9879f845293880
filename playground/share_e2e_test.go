package playground_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
)

// shareFragment packs command lines as a share link does.
func shareFragment(t *testing.T, text string) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	_, err = w.Write([]byte(text))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return "#share=" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// TestShareLink: Share in one browser, the link opened in a fresh
// browser profile from a plain static server (no GoRedis server) rebuilds
// the same keyspace in the in-page engine and shows the commands; damaged,
// hostile and oversized cases get a clear message and change nothing.
func TestShareLink(t *testing.T) {
	ctx := browserWithin(t, 5*time.Minute)
	srv := httptest.NewServer(netserver.New(engine.New(engine.Options{}), netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	defer srv.Close()
	shot := shooter(t, ctx, "share")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(ks+` .ks-live`, chromedp.ByQuery),
	))
	for _, c := range []struct{ line, want string }{
		{`SET greeting "hello world"`, "OK"},
		{`SET bin "\x00\xff\n\"q"`, "OK"},
		{`SET session abc EX 500`, "OK"},
		{`RPUSH queue job1 "job 2" job3`, "(integer) 3"},
		{`HSET user:1 name Ada lang Go`, "(integer) 2"},
		{`SADD tags redis go`, "(integer) 2"},
		{`ZADD board 1.5 ada -inf low 300 grace`, "(integer) 3"},
		{`XADD events 1-1 kind click`, `"1-1"`},
		{`XADD events 2-0 kind view`, `"2-0"`},
		{`XGROUP CREATE events workers 0`, "OK"},
		{`XREADGROUP GROUP workers alice COUNT 1 STREAMS events >`, `"click"`},
	} {
		run(t, ctx, 1, c.line, c.want)
	}
	var notice, href string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(ks+` .ks-share`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('`+ks+` .ks-notice').textContent.includes("Share link ready")`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(ks+` .ks-notice`, &notice, chromedp.ByQuery),
		chromedp.Location(&href)))
	assert.Contains(t, notice, "these 8 keys")
	_, frag, ok := strings.Cut(href, "#")
	require.True(t, ok, href)
	require.True(t, strings.HasPrefix(frag, "share="), href)
	shot("1-shared.png")

	// A fresh profile, a static server of the repository: no GoRedis.
	static := httptest.NewServer(http.FileServer(http.Dir("..")))
	defer static.Close()
	fresh := browserWithin(t, 5*time.Minute)
	shot2 := shooter(t, fresh, "share-opened")
	require.NoError(t, chromedp.Run(fresh,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(static.URL+"/index.html#"+frag),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery)))
	waitOutput(t, fresh, 1, 0, "ZADD board")
	for _, c := range []struct{ line, want string }{
		{`GET greeting`, `"hello world"`},
		{`GET bin`, `"\x00\xff\n\"q"`},
		{`LRANGE queue 0 -1`, "1) \"job1\"\n2) \"job 2\"\n3) \"job3\""},
		{`HGET user:1 lang`, `"Go"`},
		{`SCARD tags`, "(integer) 2"},
		{`ZRANGE board 0 -1 WITHSCORES`, "1) \"low\"\n2) \"-inf\"\n3) \"ada\"\n4) \"1.5\"\n5) \"grace\"\n6) \"300\""},
		{`XRANGE events - +`, "1) 1) \"1-1\"\n   2) 1) \"kind\"\n      2) \"click\"\n2) 1) \"2-0\"\n   2) 1) \"kind\"\n      2) \"view\""},
		// the group, its consumer and the entry delivered but not acked
		{`XPENDING events workers - + 10`, "1) 1) \"1-1\"\n   2) \"alice\""},
		{`XINFO STREAM events`, "entries-added"},
		{`DBSIZE`, "(integer) 8"},
	} {
		run(t, fresh, 1, c.line, c.want)
	}
	// The deadline travels with the link (500 s when shared): what is
	// left depends on how fast a busy machine opened the page.
	out := run(t, fresh, 1, `TTL session`, "(integer) ")
	m := regexp.MustCompile(`\(integer\) (-?\d+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	ttl, _ := strconv.Atoi(m[1])
	assert.True(t, ttl > 0 && ttl <= 500, "TTL session: %d", ttl)
	out = output(t, fresh, 1)
	assert.Contains(t, out, "running its 14 commands in the in-page engine")
	assert.Contains(t, out, "in-page> XCLAIM events workers alice 0 1-1 IDLE")
	assert.Contains(t, out, "in-page> RPUSH queue job1 \"job 2\" job3")
	waitPane(t, fresh, "board", `!!row`, "the pane shows the shared keys")
	assert.Len(t, paneKeys(t, fresh), 8)
	shot2("2-opened.png")

	// Damaged and hostile links: a clear message, nothing run.
	for _, c := range []struct{ frag, want string }{
		{"#share=%%%not-a-link", "damaged"},
		{shareFragment(t, "SET a 1\nFLUSHALL"), "line 2 runs FLUSHALL"},
		{shareFragment(t, "CONFIG SET maxmemory 1"), "runs CONFIG"},
		{shareFragment(t, "SET a "+strings.Repeat("x", 600*1024)), "inflates past"},
	} {
		require.NoError(t, chromedp.Run(fresh,
			chromedp.Navigate(static.URL+"/index.html"+c.frag),
			chromedp.Reload(),
			chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery)))
		out := waitOutput(t, fresh, 1, 0, "share link refused")
		assert.Contains(t, out, c.want)
		assert.Contains(t, out, "nothing was run")
		// The keys this browser kept (the shared ones above) are untouched.
		run(t, fresh, 1, "DBSIZE", "(integer) 8")
		var note string
		require.NoError(t, chromedp.Run(fresh, chromedp.Text(ks+` .ks-notice`, &note, chromedp.ByQuery)))
		assert.Contains(t, note, "Share link refused")
	}
	shot2("3-hostile.png")

	// Opened where this browser kept keys, the link replaces them (its
	// RPUSH does not append to a kept list).
	require.NoError(t, chromedp.Run(fresh,
		chromedp.Navigate(static.URL+"/index.html#"+frag),
		chromedp.Reload(),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery)))
	waitOutput(t, fresh, 1, 0, "ZADD board")
	assert.Contains(t, output(t, fresh, 1), "(a shared keyspace replaces the keys this browser kept in 1 database)\nin-page> FLUSHALL\nOK")
	run(t, fresh, 1, "LLEN queue", "(integer) 3")

	// Too much to share: said plainly, the address bar left alone.
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(async () => {
		const args = ["MSET"];
		for (let i = 0; i < 3000; i++) args.push("k" + i, "v" + i);
		await window.goredisKeyspace.q.run([args]);
	})()`, nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })))
	run(t, ctx, 1, "DBSIZE", "(integer) 3008")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(ks+` .ks-share`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('`+ks+` .ks-notice').textContent.includes("Cannot share")`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Text(ks+` .ks-notice`, &notice, chromedp.ByQuery)))
	assert.Contains(t, notice, "too many keys to share")
}
