package acl

import (
	"sort"
	"strings"
)

// categoryNames are Redis's ACL categories in its order: ACL CAT lists
// them so, and the describer tries them so.
var categoryNames = [...]string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast",
	"slow", "blocking", "dangerous", "connection", "transaction", "scripting",
}

// Categories returns the category names in Redis's order.
func Categories() []string { return categoryNames[:] }

// CategoryBit is the bit of a category name (case-insensitive), 0 when
// unknown.
func CategoryBit(name string) uint32 {
	for i, n := range categoryNames {
		if strings.EqualFold(n, name) {
			return 1 << i
		}
	}
	return 0
}

// CategoryBits is the mask of the named categories; unknown names are
// ignored.
func CategoryBits(names []string) uint32 {
	var m uint32
	for _, n := range names {
		m |= CategoryBit(n)
	}
	return m
}

// Command is what the ACL knows of one command of the table.
type Command struct {
	Name       string // full lower-case name: "get", "client|list"
	Categories uint32 // CategoryBit of each of its categories
	NoAuth     bool   // runs before authentication (AUTH, HELLO): always allowed
	// HasKeys and HasChannels say whether the command can name keys
	// (Finder.Keys is asked) and publish or subscribe to channels
	// (Finder.Channels is asked).
	HasKeys, HasChannels bool
	Parent               *Command
	Subs                 []*Command
	id                   int
}

// ID is the command's index in its table's permission bitmaps.
func (c *Command) ID() int { return c.id }

// Table is the set of commands permissions are about.
type Table struct {
	top    []*Command // sorted by name
	byName map[string]*Command
	n      int // commands including subcommands; bit n is "future commands"
}

// NewTable numbers the commands (top-level, each with its Subs) and
// indexes them by full name.
func NewTable(cmds []*Command) *Table {
	t := &Table{byName: map[string]*Command{}}
	t.top = append([]*Command(nil), cmds...)
	sort.Slice(t.top, func(i, j int) bool { return t.top[i].Name < t.top[j].Name })
	for _, c := range t.top {
		c.id = t.n
		t.n++
		t.byName[c.Name] = c
		sort.Slice(c.Subs, func(i, j int) bool { return c.Subs[i].Name < c.Subs[j].Name })
		for _, s := range c.Subs {
			s.Parent = c
			s.id = t.n
			t.n++
			t.byName[s.Name] = s
		}
	}
	return t
}

// Lookup finds a command by its full name ("client|list"), case
// insensitively, as Redis's ACLLookupCommand.
func (t *Table) Lookup(name string) *Command {
	if strings.Count(name, "|") > 1 {
		return nil
	}
	return t.byName[strings.ToLower(name)]
}

// InCategory lists the full names of the commands in a category, each
// container before its subcommands.
func (t *Table) InCategory(bit uint32) []string {
	var out []string
	for _, c := range t.top {
		if c.Categories&bit != 0 {
			out = append(out, c.Name)
		}
		for _, s := range c.Subs {
			if s.Categories&bit != 0 {
				out = append(out, s.Name)
			}
		}
	}
	return out
}

func (t *Table) words() int { return (t.n + 1 + 63) / 64 }
