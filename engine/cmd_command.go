package engine

import (
	"sort"
	"strings"
)

// The COMMAND family answers from the command table, so what it reports is
// exactly what the dispatcher runs.

// flagOrder is the order in which Redis lists command flags.
func flagOrder() []string {
	return []string{"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "may_replicate", "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys", "allow_busy"}
}

// aclOrder is the order in which Redis lists ACL categories.
func aclOrder() []string {
	return []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting"}
}

func orderedBy(items, order []string) []string {
	rank := func(s string) int {
		for i, o := range order {
			if o == s {
				return i
			}
		}
		return len(order)
	}
	out := append([]string(nil), items...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

func (c *Command) sortedSubs() []*Command {
	out := make([]*Command, 0, len(c.subs))
	for _, s := range c.subs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sortedCommands lists the top-level commands by name.
func (e *Engine) sortedCommands() []*Command {
	out := make([]*Command, 0, len(e.commands))
	for _, c := range e.commands {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// lookupFullName finds "get" or "config|get".
func (e *Engine) lookupFullName(name string) *Command {
	name = strings.ToLower(name)
	if i := strings.IndexByte(name, '|'); i >= 0 {
		c := e.commands[name[:i]]
		if c == nil {
			return nil
		}
		return c.subs[name[i+1:]]
	}
	return e.commands[name]
}

func commandHandlers() []handlerEntry {
	return []handlerEntry{
		{"command", cmdCommand},
		{"command|count", cmdCommandCount},
		{"command|info", cmdCommandInfo},
		{"command|docs", cmdCommandDocs},
		{"command|list", cmdCommandList},
		{"command|getkeys", cmdCommandGetKeys},
		{"command|getkeysandflags", cmdCommandGetKeys},
		{"command|help", cmdCommandHelp},
	}
}

// COMMAND
func cmdCommand(s *Session, args [][]byte) {
	if len(args) > 1 {
		s.w.Error("ERR unknown subcommand '" + truncateArg(args[1]) + "'. Try COMMAND HELP.")
		return
	}
	cmds := s.e.sortedCommands()
	s.w.Array(len(cmds))
	for _, c := range cmds {
		writeCommandInfo(&s.w, c)
	}
}

// COMMAND COUNT
func cmdCommandCount(s *Session, args [][]byte) { s.w.Int(int64(len(s.e.commands))) }

// COMMAND INFO [command-name [command-name ...]]
func cmdCommandInfo(s *Session, args [][]byte) {
	if len(args) == 2 {
		cmdCommand(s, args[:1])
		return
	}
	s.w.Array(len(args) - 2)
	for _, a := range args[2:] {
		if c := s.e.lookupFullName(string(a)); c != nil {
			writeCommandInfo(&s.w, c)
		} else {
			s.w.Null()
		}
	}
}

// writeCommandInfo writes one COMMAND INFO entry: name, arity, flags, first
// key, last key, step, ACL categories, tips, key specs, subcommands.
func writeCommandInfo(w *Writer, c *Command) {
	w.Array(10)
	w.BulkString(c.Name)
	w.Int(int64(c.Arity))
	flags := orderedBy(c.Flags, flagOrder())
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	w.Int(int64(c.FirstKey))
	w.Int(int64(c.LastKey))
	w.Int(int64(c.Step))
	cats := orderedBy(c.ACLCategories, aclOrder())
	w.Set(len(cats))
	for _, a := range cats {
		w.Simple("@" + a)
	}
	w.Set(len(c.Hints))
	for _, h := range c.Hints {
		w.BulkString(h)
	}
	w.Set(len(c.KeySpecs))
	for i := range c.KeySpecs {
		writeKeySpec(w, &c.KeySpecs[i])
	}
	if len(c.subs) == 0 {
		// Redis answers an empty set here but an array of subcommands.
		w.Set(0)
		return
	}
	subs := c.sortedSubs()
	w.Array(len(subs))
	for _, sc := range subs {
		writeCommandInfo(w, sc)
	}
}

func writeKeySpec(w *Writer, ks *KeySpec) {
	if ks.Notes != "" {
		w.Map(4)
		w.BulkString("notes")
		w.BulkString(ks.Notes)
	} else {
		w.Map(3)
	}
	w.BulkString("flags")
	w.Set(len(ks.Flags))
	for _, f := range ks.Flags {
		w.Simple(f)
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(ks.BeginSearch)
	w.BulkString("spec")
	switch ks.BeginSearch {
	case "index":
		w.Map(1)
		w.BulkString("index")
		w.Int(int64(ks.BSIndex))
	case "keyword":
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(ks.BSKeyword)
		w.BulkString("startfrom")
		w.Int(int64(ks.BSStartFrom))
	default:
		w.Map(0)
	}
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(ks.FindKeys)
	w.BulkString("spec")
	switch ks.FindKeys {
	case "range":
		w.Map(3)
		w.BulkString("lastkey")
		w.Int(int64(ks.FKLastKey))
		w.BulkString("keystep")
		w.Int(int64(ks.FKKeyStep))
		w.BulkString("limit")
		w.Int(int64(ks.FKLimit))
	case "keynum":
		w.Map(3)
		w.BulkString("keynumidx")
		w.Int(int64(ks.FKKeyNumIdx))
		w.BulkString("firstkey")
		w.Int(int64(ks.FKFirstKey))
		w.BulkString("keystep")
		w.Int(int64(ks.FKNumKeyStep))
	default:
		w.Map(0)
	}
}

// COMMAND DOCS [command-name [command-name ...]]
func cmdCommandDocs(s *Session, args [][]byte) {
	if len(args) == 2 {
		cmds := s.e.sortedCommands()
		s.w.Map(len(cmds))
		for _, c := range cmds {
			s.w.BulkString(c.Name)
			writeCommandDocs(&s.w, c)
		}
		return
	}
	var found []*Command
	for _, a := range args[2:] {
		if c := s.e.lookupFullName(string(a)); c != nil {
			found = append(found, c)
		}
	}
	s.w.Map(len(found))
	for _, c := range found {
		s.w.BulkString(c.Name)
		writeCommandDocs(&s.w, c)
	}
}

func writeCommandDocs(w *Writer, c *Command) {
	n := 4
	if len(c.DocFlags) > 0 {
		n++
	}
	if c.DeprecatedSince != "" {
		n++
	}
	if c.ReplacedBy != "" {
		n++
	}
	if len(c.Args) > 0 {
		n++
	}
	if len(c.subs) > 0 {
		n++
	}
	w.Map(n)
	w.BulkString("summary")
	w.BulkString(commandSummary(c.Name))
	w.BulkString("since")
	w.BulkString(c.Since)
	w.BulkString("group")
	w.BulkString(c.Group)
	w.BulkString("complexity")
	w.BulkString(c.Complexity)
	if len(c.DocFlags) > 0 {
		w.BulkString("doc_flags")
		w.Set(len(c.DocFlags))
		for _, f := range c.DocFlags {
			w.Simple(f)
		}
	}
	if c.DeprecatedSince != "" {
		w.BulkString("deprecated_since")
		w.BulkString(c.DeprecatedSince)
	}
	if c.ReplacedBy != "" {
		w.BulkString("replaced_by")
		w.BulkString(c.ReplacedBy)
	}
	if len(c.Args) > 0 {
		w.BulkString("arguments")
		writeArgDocs(w, c.Args)
	}
	if len(c.subs) > 0 {
		subs := c.sortedSubs()
		w.BulkString("subcommands")
		w.Map(len(subs))
		for _, sc := range subs {
			w.BulkString(sc.Name)
			writeCommandDocs(w, sc)
		}
	}
}

func writeArgDocs(w *Writer, args []ArgSpec) {
	w.Array(len(args))
	for i := range args {
		a := &args[i]
		var flags []string
		if a.Optional {
			flags = append(flags, "optional")
		}
		if a.Multiple {
			flags = append(flags, "multiple")
		}
		if a.MultipleToken {
			flags = append(flags, "multiple_token")
		}
		n := 2
		if a.KeySpecIndex >= 0 {
			n++
		}
		if a.Token != "" {
			n++
		}
		if a.Since != "" {
			n++
		}
		if len(flags) > 0 {
			n++
		}
		if len(a.Args) > 0 {
			n++
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if a.KeySpecIndex >= 0 {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpecIndex))
		}
		if a.Token != "" {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		if a.Since != "" {
			w.BulkString("since")
			w.BulkString(a.Since)
		}
		if len(flags) > 0 {
			w.BulkString("flags")
			w.Set(len(flags))
			for _, f := range flags {
				w.Simple(f)
			}
		}
		if len(a.Args) > 0 {
			w.BulkString("arguments")
			writeArgDocs(w, a.Args)
		}
	}
}

// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
func cmdCommandList(s *Session, args [][]byte) {
	var match func(c *Command) bool
	switch {
	case len(args) == 2:
		match = func(*Command) bool { return true }
	case len(args) == 5 && equalFold(args[2], "filterby"):
		val := string(args[4])
		switch {
		case equalFold(args[3], "module"):
			match = func(*Command) bool { return false } // no modules
		case equalFold(args[3], "aclcat"):
			match = func(c *Command) bool {
				for _, a := range c.ACLCategories {
					if strings.EqualFold(a, val) {
						return true
					}
				}
				return false
			}
		case equalFold(args[3], "pattern"):
			match = func(c *Command) bool { return globMatch(val, c.Name, true) }
		}
	}
	if match == nil {
		s.w.Error(errSyntax)
		return
	}
	var names []string
	for _, c := range s.e.sortedCommands() {
		if match(c) {
			names = append(names, c.Name)
		}
		for _, sc := range c.sortedSubs() {
			if match(sc) {
				names = append(names, sc.Name)
			}
		}
	}
	s.w.BulkStrings(names)
}

// COMMAND GETKEYS command [arg [arg ...]]
// COMMAND GETKEYSANDFLAGS command [arg [arg ...]]
func cmdCommandGetKeys(s *Session, args [][]byte) {
	withFlags := equalFold(args[1], "getkeysandflags")
	cmdArgs := args[2:]
	c := s.e.lookupCommand(cmdArgs[0])
	if c != nil && c.subs != nil && len(cmdArgs) >= 2 {
		if sub := lookupSub(c, cmdArgs[1]); sub != nil {
			c = sub
		}
	}
	if c == nil {
		s.w.Error("ERR Invalid command specified")
		return
	}
	if !arityOK(c.Arity, len(cmdArgs)) {
		s.w.Error("ERR Invalid number of arguments specified for command")
		return
	}
	if !commandHasKeys(c) {
		s.w.Error("ERR The command has no key arguments")
		return
	}
	keys := getKeys(c, cmdArgs, nil)
	if len(keys) == 0 {
		if hasFlag(c, "no_mandatory_keys") {
			s.w.Array(0)
			return
		}
		s.w.Error("ERR Invalid arguments specified for command")
		return
	}
	s.w.Array(len(keys))
	for _, k := range keys {
		if withFlags {
			s.w.Array(2)
			s.w.Bulk(cmdArgs[k.pos])
			flags := k.flags.names()
			s.w.Set(len(flags))
			for _, f := range flags {
				s.w.Simple(f)
			}
		} else {
			s.w.Bulk(cmdArgs[k.pos])
		}
	}
}

// COMMAND HELP
func cmdCommandHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "COMMAND", []string{
		"(no subcommand)",
		"    List every command with its arity, flags, key positions and ACL categories.",
		"COUNT",
		"    Number of commands this server knows.",
		"LIST [FILTERBY (MODULE <module>|ACLCAT <category>|PATTERN <pattern>)]",
		"    Names of the commands, optionally filtered.",
		"INFO [<command-name> ...]",
		"    The COMMAND entry of the named commands (all when none are named).",
		"DOCS [<command-name> ...]",
		"    Summary, complexity and argument grammar of the named commands (all when none are named).",
		"GETKEYS <full-command>",
		"    The key names a full command line would touch.",
		"GETKEYSANDFLAGS <full-command>",
		"    The key names of a full command line with their access flags.",
	})
}

// writeHelp writes a HELP reply in Redis's shape: a title line, the
// given lines, and the HELP entry, all as simple strings.
func writeHelp(w *Writer, name string, lines []string) {
	w.Array(len(lines) + 3)
	w.Simple(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		w.Simple(l)
	}
	w.Simple("HELP")
	w.Simple("    Prints this help.")
}
