package engine

import (
	"errors"
	"maps"
	"sort"
	"strings"
)

// CommandRename is one rename-command directive: From's command is known
// as To from then on; an empty To removes it.
type CommandRename struct{ From, To string }

// CommandTable tracks the command names a config file's rename-command
// lines see, so each is checked in order as Redis checks it (a command
// renamed earlier is found under its new name).
type CommandTable struct{ names map[string]bool }

// NewCommandTable lists every top-level command.
func NewCommandTable() *CommandTable {
	t := &CommandTable{names: map[string]bool{}}
	for _, sp := range commandSpecs() {
		if sp.Container == "" {
			t.names[sp.Name] = true
		}
	}
	return t
}

// Rename applies one rename-command line, with Redis's error words.
func (t *CommandTable) Rename(from, to string) error {
	from, to = strings.ToLower(from), strings.ToLower(to)
	if !t.names[from] {
		//lint:ignore ST1005 redis-server's own wording
		return errors.New("No such command in rename-command")
	}
	delete(t.names, from)
	if to == "" {
		return nil
	}
	if t.names[to] {
		//lint:ignore ST1005 redis-server's own wording
		return errors.New("Target command name already exists")
	}
	t.names[to] = true
	return nil
}

// Names lists the table's names, sorted.
func (t *CommandTable) Names() []string {
	out := make([]string, 0, len(t.names))
	for n := range t.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// renameCommands applies checked renames to the engine's table.
// The shared table is copied first: other engines keep their names.
func (e *Engine) renameCommands(renames []CommandRename) {
	for _, r := range renames {
		from, to := strings.ToLower(r.From), strings.ToLower(r.To)
		c := e.commands[from]
		if c == nil {
			continue
		}
		if !e.renamed {
			e.commands = maps.Clone(e.commands)
			e.renamed = true
		}
		delete(e.commands, from)
		if to != "" {
			e.commands[to] = c
		}
	}
	e.cmdCache = [cmdCacheSize]cmdCacheEntry{}
}
