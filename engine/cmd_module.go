package engine

// MODULE: GoRedis loads no Redis modules (they are native code built
// against redis-server), but tools ask: RedisInsight and other GUIs send
// MODULE LIST when they connect, and get the empty list Redis gives with
// none loaded.

func moduleHandlers() []handlerEntry {
	return []handlerEntry{
		{"module|list", cmdModuleList},
		{"module|load", cmdModuleLoad},
		{"module|loadex", cmdModuleLoad},
		{"module|unload", cmdModuleUnload},
		{"module|help", cmdModuleHelp},
	}
}

// MODULE LIST
func cmdModuleList(s *Session, args [][]byte) {
	s.w.Array(0)
}

// MODULE LOAD path [arg ...]
// MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...]
func cmdModuleLoad(s *Session, args [][]byte) {
	if msg := s.protectedAllowed("enable-module-command", "MODULE"); msg != "" {
		s.w.Error(msg)
		return
	}
	s.e.warnLine("Module " + string(args[2]) + " failed to load: GoRedis does not support Redis modules")
	s.w.Error("ERR Error loading the extension. GoRedis does not support Redis modules.")
}

// MODULE UNLOAD name
func cmdModuleUnload(s *Session, args [][]byte) {
	if msg := s.protectedAllowed("enable-module-command", "MODULE"); msg != "" {
		s.w.Error(msg)
		return
	}
	s.w.Error("ERR Error unloading module: no such module with that name")
}

// MODULE HELP
func cmdModuleHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "MODULE", []string{
		"LIST",
		"    Return a list of loaded modules.",
		"LOAD <path> [<arg> ...]",
		"    Load a module library from <path>, passing to it any optional arguments.",
		"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
		"    Load a module library from <path>, while passing it module configurations and optional arguments.",
		"UNLOAD <name>",
		"    Unload a module.",
	})
}
