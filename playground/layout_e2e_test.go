package playground_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
)

// box is an element's place on screen.
type box struct{ Top, Left, Width, Height float64 }

// TestLayout checks the page at a 1280x800 laptop and a 390x844 phone:
// nothing wider than the screen, the tutorial on screen with its
// navigation styled even with the pipelining panel open, the terminal's
// input usable; screenshots of each in both themes.
func TestLayout(t *testing.T) {
	ctx := browser(t)
	srv := httptest.NewServer(netserver.New(engine.New(engine.Options{}), netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	defer srv.Close()
	shot := shooter(t, ctx, "layout")
	measure := func(sel string) box {
		var b box
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => {
			const r = document.querySelector(`+jsString(sel)+`).getBoundingClientRect();
			return {Top: r.top, Left: r.left, Width: r.width, Height: r.height};
		})()`, &b)))
		return b
	}
	scrollWidth := func() float64 {
		var w float64
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.scrollWidth`, &w)))
		return w
	}

	require.NoError(t, chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+"/#/lesson/lists/1"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		stepTitle(ctx, "Fill the queue"),
	))
	for _, theme := range []string{"dark", "light"} {
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.dataset.theme = "`+theme+`"`, nil)))
		shot("1280x800-" + theme + ".png")
	}
	assert.LessOrEqual(t, scrollWidth(), 1280.0, "nothing wider than the screen")
	var navDisplay, statusBorder string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Evaluate(`getComputedStyle(document.querySelector(".step-nav")).display`, &navDisplay),
		chromedp.Evaluate(`getComputedStyle(document.querySelector(".step-status")).borderTopStyle`, &statusBorder)))
	assert.Equal(t, "flex", navDisplay, "the tutorial's navigation is laid out")
	assert.Equal(t, "solid", statusBorder, "the step's status is styled")

	// The pipelining panel open: the tutorial and the terminal stay on screen.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`.pipeline-toggle`, chromedp.ByQuery),
		chromedp.WaitVisible(`.pg-pipeline`, chromedp.ByQuery)))
	tut := measure(".pg-tutorial")
	nav := measure(".pg-tutorial .step-nav")
	in := measure(term(1, ".term-input"))
	t.Logf("1280x800 with the pipelining panel: tutorial %+v, its navigation %+v, input %+v", tut, nav, in)
	assert.Less(t, tut.Top+300, 800.0, "the tutorial shows at least 300 px")
	assert.Less(t, nav.Top+nav.Height, 800.0, "the step navigation is above the fold")
	assert.Less(t, in.Top+in.Height, 800.0, "the terminal's input is above the fold")
	shot("1280x800-pipelining.png")
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(`.pipeline-toggle`, chromedp.ByQuery)))

	// A phone.
	require.NoError(t, chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		stepTitle(ctx, "Fill the queue"),
	))
	run(t, ctx, 1, "RPUSH queue job1 job2 job3", "(integer) 3")
	assert.LessOrEqual(t, scrollWidth(), 390.0, "nothing wider than the phone")
	in = measure(term(1, ".term-input"))
	assert.Greater(t, in.Width, 150.0, "room to type")
	for _, sel := range []string{".pg-tutorial", term(1, ".term-out"), ".pg-inspector", `[role="region"][aria-label="Keyspace"]`} {
		assert.Greater(t, measure(sel).Height, 150.0, "%s has room on a phone", sel)
	}
	for _, theme := range []string{"dark", "light"} {
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.dataset.theme = "`+theme+`"`, nil)))
		shot("390x844-" + theme + ".png")
	}
}

func jsString(s string) string {
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, "\\", "\\\\"), "`", "\\`") + "`"
}
