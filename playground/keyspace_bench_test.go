package playground_test

import (
	"context"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
)

// benchKeys is 1M unless GOREDIS_BENCH_KEYS says otherwise (a quick run).
var benchKeys = func() int {
	if n, err := strconv.Atoi(os.Getenv("GOREDIS_BENCH_KEYS")); err == nil && n >= 10000 {
		return n / 10000 * 10000
	}
	return 1_000_000
}()

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// BenchmarkKeyspacePane measures the Keyspace pane with 1M keys, in the
// in-page engine and over the WebSocket bridge: how long a write by
// another client takes to show in the pane (ms/update: from sending SET
// to the row drawn with its type), the commands the pane sent to load its
// first page, and the commands per second it sends while idle and while
// another client writes 1000 keys per second. Run:
//
//	go test -run '^$' -bench KeyspacePane -benchtime 20x ./playground/
func BenchmarkKeyspacePane(b *testing.B) {
	for _, mode := range []string{"in-page", "bridge"} {
		// The page with 1M keys is set up once: testing runs the
		// sub-benchmark with b.N = 1 before the N asked for.
		ctx, srv := setupPane(b, mode)
		b.Run(mode, func(b *testing.B) { benchPane(b, ctx, mode) })
		srv.Close()
	}
}

func setupPane(b *testing.B, mode string) (context.Context, *httptest.Server) {
	ctx := browserWithin(b, 15*time.Minute)
	eng := engine.New(engine.Options{})
	srv := httptest.NewServer(netserver.New(eng, netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	url := srv.URL + "/"
	if mode == "bridge" {
		s := eng.NewSession(engine.ClientInfo{})
		for i := 0; i < benchKeys; i += 10000 {
			args := [][]byte{[]byte("MSET")}
			for j := i; j < i+10000; j++ {
				args = append(args, []byte("key:"+strconv.Itoa(j)), []byte("v"))
			}
			s.Exec(args)
			s.TakeOutput(nil)
		}
		url += "?ws"
	}
	require.NoError(b, chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(url),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery)))
	if mode == "in-page" {
		// Filled with the pane closed, as a page that loads data first.
		var n float64
		require.NoError(b, chromedp.Run(ctx,
			chromedp.Click(`#show-keyspace`, chromedp.ByQuery),
			chromedp.Evaluate(`(async () => {
				const c = await window.goredisKeyspace.host.transport().connect(null, () => {});
				const enc = new TextEncoder();
				for (let i = 0; i < `+strconv.Itoa(benchKeys)+`; i += 10000) {
					let s = "*20001\r\n$4\r\nMSET\r\n";
					for (let j = i; j < i + 10000; j++) { const k = "key:" + j; s += "$" + k.length + "\r\n" + k + "\r\n$1\r\nv\r\n"; }
					await c.send(enc.encode(s));
				}
				const r = new TextDecoder().decode(await c.send(enc.encode("*1\r\n$6\r\nDBSIZE\r\n")));
				c.close();
				return Number(r.slice(1));
			})()`, &n, awaitPromise),
			chromedp.Click(`#show-keyspace`, chromedp.ByQuery)))
		require.Equal(b, float64(benchKeys), n)
	}
	require.NoError(b, chromedp.Run(ctx,
		chromedp.Poll(`document.querySelector('`+ks+` .ks-live').textContent.includes("live") && document.querySelectorAll('`+ks+` .ks-row .t-string').length > 10`, nil, chromedp.WithPollingTimeout(60*time.Second))))
	require.NoError(b, chromedp.Run(ctx, chromedp.Evaluate(`window.firstPageCommands = window.goredisKeyspace.stats.commands`, nil)))
	return ctx, srv
}

func benchPane(b *testing.B, ctx context.Context, mode string) {
	var firstPage float64
	require.NoError(b, chromedp.Run(ctx, chromedp.Evaluate(`window.firstPageCommands`, &firstPage)))

	// paneRate is the pane's commands per second over a window, while
	// writer (JS run in the page, or "") writes.
	paneRate := func(seconds int, writes int) float64 {
		var res []float64
		require.NoError(b, chromedp.Run(ctx, chromedp.Evaluate(`(async () => {
			const pane = window.goredisKeyspace;
			const c = await pane.host.transport().connect(null, () => {});
			const enc = new TextEncoder();
			const before = pane.stats.commands, t0 = performance.now();
			const perTick = `+strconv.Itoa(writes/10)+`;
			while (performance.now() - t0 < `+strconv.Itoa(seconds*1000)+`) {
				if (perTick) {
					let s = "";
					for (let i = 0; i < perTick; i++) { const k = "key:" + Math.floor(Math.random() * `+strconv.Itoa(benchKeys)+`); s += "*3\r\n$3\r\nSET\r\n$" + k.length + "\r\n" + k + "\r\n$1\r\nw\r\n"; }
					await c.send(enc.encode(s));
				}
				await new Promise((r) => setTimeout(r, 100));
			}
			c.close();
			return [(pane.stats.commands - before) / ((performance.now() - t0) / 1000), pane.keys.length, pane.stats.updates];
		})()`, &res, awaitPromise)))
		b.Logf("%s, %d writes/s: %.1f pane commands/s; the pane holds %.0f keys, refreshed %.0f rows so far", mode, writes, res[0], res[1], res[2])
		return res[0]
	}

	b.ResetTimer()
	var lat []float64
	require.NoError(b, chromedp.Run(ctx, chromedp.Evaluate(`(async () => {
		const pane = window.goredisKeyspace;
		const list = document.querySelector('`+ks+` .ks-list');
		const c = await pane.host.transport().connect(null, () => {});
		const enc = new TextEncoder();
		const out = [], run = performance.now().toFixed(0);
		for (let i = 0; i < `+strconv.Itoa(b.N)+`; i++) {
			const key = "!bench-" + run + "-" + i; // new, and sorts first: on screen
			const shown = new Promise((res) => {
				const seen = () => [...list.querySelectorAll(".ks-row")].some((r) => r.dataset.key === key && r.querySelector(".t-string"));
				const mo = new MutationObserver(() => { if (seen()) { mo.disconnect(); res(); } });
				mo.observe(list, { childList: true, subtree: true });
			});
			const t0 = performance.now();
			await c.send(enc.encode("*3\r\n$3\r\nSET\r\n$" + key.length + "\r\n" + key + "\r\n$1\r\nv\r\n"));
			await shown;
			out.push(performance.now() - t0);
		}
		c.close();
		return out;
	})()`, &lat, awaitPromise)))
	b.StopTimer()
	sort.Float64s(lat)
	sum := 0.0
	for _, v := range lat {
		sum += v
	}
	b.ReportMetric(sum/float64(len(lat)), "ms/update")
	b.ReportMetric(lat[len(lat)/2], "p50-ms/update")
	b.ReportMetric(firstPage, "first-page-cmds")
	b.ReportMetric(paneRate(5, 0), "pane-cmds/s-idle")
	b.ReportMetric(paneRate(5, 1000), "pane-cmds/s-1k-writes/s")
	var keysShown int
	require.NoError(b, chromedp.Run(ctx, chromedp.Evaluate(`window.goredisKeyspace.keys.length`, &keysShown)))
	b.ReportMetric(float64(keysShown), "keys-held")
	b.Logf("%s: %s", mode, strings.Join([]string{"latencies (ms)", strconv.FormatFloat(lat[0], 'f', 1, 64), strconv.FormatFloat(lat[len(lat)-1], 'f', 1, 64)}, " "))
}
