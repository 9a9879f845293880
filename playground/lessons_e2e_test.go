package playground_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
	"github.com/goredis-dev/goredis/playground/lessons"
)

// TestEveryLessonInBrowser walks every lesson listed in lessons/index.txt,
// in order and in one page, as a learner would: for each step it clicks
// the step's run buttons (switching raw RESP mode on for raw lines, waiting
// where the lesson says to wait, the second client where it says so) and
// then waits for the step to say it is done. It reads the lesson files, so
// a lesson added later is walked too; a step that cannot be completed by
// doing what it says fails here.
func TestEveryLessonInBrowser(t *testing.T) {
	all, err := lessons.All()
	require.NoError(t, err)
	ctx := browserWithin(t, 10*time.Minute)
	srv := httptest.NewServer(netserver.New(engine.New(engine.Options{}), netserver.Options{}).HTTPHandler(netserver.WSOptions{}))
	defer srv.Close()
	shot := shooter(t, ctx, "lessons")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`html[data-ready="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.pg-tutorial .lesson-list`, chromedp.ByQuery),
	))
	raw := false
	for _, l := range all {
		ok := t.Run(l.ID, func(t *testing.T) {
			require.NoError(t, chromedp.Run(ctx,
				chromedp.Evaluate(`location.hash = "#/lesson/`+l.ID+`/1"`, nil),
				stepTitle(ctx, l.Steps[0].Title)))
			for i, st := range l.Steps {
				if i > 0 {
					next(t, ctx, st.Title)
				}
				button := 0
				for _, c := range st.Commands {
					if c.Wait > 0 {
						time.Sleep(time.Duration(c.Wait) * time.Second)
						continue
					}
					button++
					if c.Raw() != raw {
						require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#raw-mode`, chromedp.ByQuery)))
						raw = c.Raw()
					}
					ran := echoes(t, ctx, c.Terminal, c.Line)
					require.NoError(t, chromedp.Run(ctx, chromedp.Click(`.pg-tutorial .run-cmd:nth-of-type(`+strconv.Itoa(button)+`)`, chromedp.ByQuery)))
					waitRan(t, ctx, c.Terminal, c.Line, ran)
				}
				stepDone(t, ctx, fmt.Sprintf("%s step %d %q", l.ID, i+1, st.Title))
				shot(fmt.Sprintf("%s-%d.png", l.ID, i+1))
			}
			var progress string
			require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`localStorage.getItem("goredis.tutorial.progress")`, &progress)))
			var done map[string][]int
			require.NoError(t, json.Unmarshal([]byte(progress), &done))
			assert.Len(t, done[l.ID], len(l.Steps), "every step of %s is recorded as done", l.ID)
		})
		if !ok {
			break // the next lessons start from this one's state
		}
	}
}

// echoes counts the lines terminal n has echoed that read line (0 while
// the terminal does not exist).
func echoes(t *testing.T, ctx context.Context, n int, line string) int {
	t.Helper()
	var c int
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`(() => {
		const t = document.querySelectorAll(".pg-terms > .term")[`+strconv.Itoa(n-1)+`];
		if (!t) return 0;
		return [...t.querySelectorAll(".term-echo-cmd")].filter((e) => e.textContent === `+strconv.Quote(line)+`).length;
	})()`, &c)))
	return c
}

// waitRan waits until terminal n has echoed line once more than before
// and has either printed something after it or is waiting (BLPOP).
func waitRan(t *testing.T, ctx context.Context, n int, line string, before int) {
	t.Helper()
	js := `(() => {
		const t = document.querySelectorAll(".pg-terms > .term")[` + strconv.Itoa(n-1) + `];
		if (!t) return false;
		const mine = [...t.querySelectorAll(".term-echo")].filter((e) => e.querySelector(".term-echo-cmd").textContent === ` + strconv.Quote(line) + `);
		if (mine.length <= ` + strconv.Itoa(before) + `) return false;
		return !!mine[mine.length - 1].nextElementSibling || t.classList.contains("busy");
	})()`
	require.NoError(t, chromedp.Run(ctx, chromedp.Poll(js, nil, chromedp.WithPollingTimeout(15*time.Second))), "terminal %d never ran %q", n, line)
}
