package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/goredis-dev/goredis/engine"
	"github.com/stretchr/testify/require"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite README.md's command list from the command table")

// commandList renders the README's list of supported commands from the
// engine's one command table, grouped as Redis groups them.
func commandList() string {
	hints := engine.New(engine.Options{}).CommandHints()
	groups := map[string][]engine.CommandHint{}
	var order []string
	for _, h := range hints {
		if _, ok := groups[h.Group]; !ok {
			order = append(order, h.Group)
		}
		groups[h.Group] = append(groups[h.Group], h)
	}
	var b strings.Builder
	total := 0
	for _, g := range []string{"string", "generic", "list", "hash", "set", "sorted-set", "pubsub", "transactions", "connection", "server", "scripting"} {
		hs := groups[g]
		if len(hs) == 0 {
			continue
		}
		b.WriteString("\n**" + g + "**: ")
		var names []string
		for _, h := range hs {
			name := "`" + h.Name + "`"
			if len(h.Subcommands) > 0 {
				var subs []string
				for _, s := range h.Subcommands {
					subs = append(subs, strings.TrimPrefix(s.Name, h.Name+" "))
				}
				name += " (" + strings.Join(subs, ", ") + ")"
				total += len(h.Subcommands)
			} else {
				total++
			}
			names = append(names, name)
		}
		b.WriteString(strings.Join(names, ", ") + "\n")
		delete(groups, g)
	}
	for _, g := range order {
		if hs, ok := groups[g]; ok {
			var names []string
			for _, h := range hs {
				names = append(names, "`"+h.Name+"`")
				total++
			}
			b.WriteString("\n**" + g + "**: " + strings.Join(names, ", ") + "\n")
		}
	}
	return "\n" + itoaInt(total) + " commands and subcommands, generated from the command table (`go test ./cmd/goredis -update-readme`).\n" + b.String()
}

func itoaInt(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(buf[i:])
}

// TestReadmeCommandList keeps the README's command list equal to the
// command table.
func TestReadmeCommandList(t *testing.T) {
	const start, end = "<!-- commands:start -->", "<!-- commands:end -->"
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	doc := string(raw)
	i, j := strings.Index(doc, start), strings.Index(doc, end)
	require.True(t, i >= 0 && j > i, "README.md lacks the command list markers")
	want := doc[:i+len(start)] + commandList() + doc[j:]
	if *updateReadme {
		require.NoError(t, os.WriteFile("../../README.md", []byte(want), 0o644))
		return
	}
	require.Equal(t, want, doc, "README.md's command list is stale: run go test ./cmd/goredis -run TestReadmeCommandList -update-readme")
}
