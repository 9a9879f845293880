package engine

import (
	"sort"
	"strings"
)

// CommandHint is what an interactive client needs to complete, hint and
// explain one command: the facts of the command table in a compact form.
type CommandHint struct {
	// Name is upper case as redis-cli shows it: "SET", "CLIENT LIST".
	Name       string
	Arity      int
	Group      string
	Since      string
	Complexity string
	// Summary is our one-line description (summaries.go).
	Summary string
	Flags   []string
	// Params is the argument synopsis redis-cli prints after the name:
	// "key value [NX|XX] [GET] [EX seconds|PX milliseconds|...]".
	Params string
	// Subcommands of a container command (CLIENT, CONFIG, ...).
	Subcommands []CommandHint
}

// CommandHints lists the commands this engine implements, sorted by name,
// for completion and help in the playground. It reads the same table the
// dispatcher and COMMAND use, so hints never promise a missing command.
func (e *Engine) CommandHints() []CommandHint {
	// The table is built once in New and never changes: no lock needed.
	return hintsOf(e.commands)
}

func hintsOf(table map[string]*Command) []CommandHint {
	out := make([]CommandHint, 0, len(table))
	for _, c := range table {
		h := CommandHint{
			Name:       strings.ToUpper(strings.ReplaceAll(c.Name, "|", " ")),
			Arity:      c.Arity,
			Group:      c.Group,
			Since:      c.Since,
			Complexity: c.Complexity,
			Summary:    commandSummary(c.Name),
			Flags:      c.Flags,
			Params:     ArgsSynopsis(c.Args),
		}
		if c.subs != nil {
			h.Subcommands = hintsOf(c.subs)
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ArgsSynopsis formats a command's arguments as redis-cli's help does
// (utils/generate-command-help.rb): optional parts in brackets, "oneof"
// choices joined by '|', repeated arguments as "x [x ...]", tokens before
// their values.
func ArgsSynopsis(args []ArgSpec) string {
	parts := make([]string, 0, len(args))
	for i := range args {
		parts = append(parts, argSynopsis(&args[i]))
	}
	return strings.Join(parts, " ")
}

func argSynopsis(a *ArgSpec) string {
	var name string
	switch a.Type {
	case "block":
		name = ArgsSynopsis(a.Args)
	case "oneof":
		alts := make([]string, 0, len(a.Args))
		for i := range a.Args {
			alts = append(alts, argSynopsis(&a.Args[i]))
		}
		name = strings.Join(alts, "|")
	case "pure-token":
	default:
		name = a.DisplayText
		if name == "" {
			name = a.Name
		}
	}
	if a.Multiple {
		if a.MultipleToken {
			name = name + " [" + a.Token + " " + name + " ...]"
		} else {
			name = name + " [" + name + " ...]"
		}
	}
	if a.Token != "" {
		if name == "" {
			name = a.Token
		} else {
			name = a.Token + " " + name
		}
	}
	if a.Optional {
		name = "[" + name + "]"
	}
	return name
}
