package engine

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strings"

	"github.com/goredis-dev/goredis/engine/acl"
)

func aclHandlers() []handlerEntry {
	return []handlerEntry{
		{"acl|setuser", cmdACLSetUser},
		{"acl|getuser", cmdACLGetUser},
		{"acl|deluser", cmdACLDelUser},
		{"acl|list", cmdACLList},
		{"acl|users", cmdACLUsers},
		{"acl|whoami", cmdACLWhoAmI},
		{"acl|cat", cmdACLCat},
		{"acl|genpass", cmdACLGenPass},
		{"acl|log", cmdACLLog},
		{"acl|dryrun", cmdACLDryRun},
		{"acl|load", cmdACLLoad},
		{"acl|save", cmdACLSave},
		{"acl|help", cmdACLHelp},
	}
}

// safeError is addReplyErrorSdsSafe: line breaks in user text become
// spaces, so the error stays one line.
func safeError(msg string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, msg)
}

// ACL SETUSER username [rule [rule ...]]
func cmdACLSetUser(s *Session, args [][]byte) {
	rules := make([]string, len(args)-3)
	for i, a := range args[3:] {
		rules[i] = string(a)
	}
	u, before, err := s.e.users.SetUser(string(args[2]), rules)
	if err != nil {
		s.w.Error(safeError("ERR " + err.Error()))
		return
	}
	if before != nil {
		s.e.aclUserChanged(s, u)
	}
	s.w.OK()
}

// ACL GETUSER username
func cmdACLGetUser(s *Session, args [][]byte) {
	us := s.e.users
	u := us.Get(string(args[2]))
	if u == nil {
		s.w.Null()
		return
	}
	root, sels := us.Info(u)
	w := &s.w
	w.Map(6)
	w.BulkString("flags")
	flags := u.Flags()
	w.Set(len(flags))
	for _, f := range flags {
		w.BulkString(f)
	}
	w.BulkString("passwords")
	w.BulkStrings(u.Passwords())
	writeSelectorInfo(w, root)
	w.BulkString("selectors")
	w.Array(len(sels))
	for _, sel := range sels {
		w.Map(3)
		writeSelectorInfo(w, sel)
	}
}

func writeSelectorInfo(w *Writer, in acl.SelectorInfo) {
	w.BulkString("commands")
	w.BulkString(in.Commands)
	w.BulkString("keys")
	w.BulkString(in.Keys)
	w.BulkString("channels")
	w.BulkString(in.Channels)
}

// ACL DELUSER username [username ...]
func cmdACLDelUser(s *Session, args [][]byte) {
	names := make([]string, len(args)-2)
	for i, a := range args[2:] {
		names[i] = string(a)
	}
	gone, err := s.e.users.DelUser(names)
	if err != nil {
		s.w.Error("ERR " + err.Error())
		return
	}
	s.e.aclDropClients(s, gone)
	s.w.Int(int64(len(gone)))
}

// ACL LIST
func cmdACLList(s *Session, args [][]byte) { s.w.BulkStrings(s.e.users.List()) }

// ACL USERS
func cmdACLUsers(s *Session, args [][]byte) { s.w.BulkStrings(s.e.users.Names()) }

// ACL WHOAMI
func cmdACLWhoAmI(s *Session, args [][]byte) {
	if s.user == nil {
		s.w.Null()
		return
	}
	s.w.BulkString(s.user.Name())
}

// ACL CAT [category]
func cmdACLCat(s *Session, args [][]byte) {
	if len(args) > 3 {
		s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncateArg(args[1]) + "'. Try ACL HELP.")
		return
	}
	if len(args) == 2 {
		s.w.BulkStrings(acl.Categories())
		return
	}
	bit := acl.CategoryBit(string(args[2]))
	if bit == 0 {
		s.w.Error("ERR Unknown category '" + truncateArg(args[2]) + "'")
		return
	}
	s.w.BulkStrings(s.e.users.Table().InCategory(bit))
}

// genpassMaxBits is GENPASS_MAX_BITS.
const genpassMaxBits = 4096

// ACL GENPASS [bits]
func cmdACLGenPass(s *Session, args [][]byte) {
	if len(args) > 3 {
		s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncateArg(args[1]) + "'. Try ACL HELP.")
		return
	}
	bits := int64(256)
	if len(args) == 3 {
		n, ok := parseInt(args[2])
		if !ok {
			s.w.Error(errNotInt)
			return
		}
		bits = n
	}
	if bits <= 0 || bits > genpassMaxBits {
		s.w.Error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
		return
	}
	chars := (bits + 3) / 4
	buf := make([]byte, (chars+1)/2)
	if s.e.entropy != nil {
		s.e.entropy(buf)
	} else {
		var seed [32]byte
		for i := 0; i < 32; i += 8 {
			binary.LittleEndian.PutUint64(seed[i:], rand.Uint64())
		}
		_, _ = rand.NewChaCha8(seed).Read(buf)
	}
	s.w.BulkString(hex.EncodeToString(buf)[:chars])
}

// ACL LOG [count | RESET]
func cmdACLLog(s *Session, args [][]byte) {
	if len(args) > 3 {
		s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncateArg(args[1]) + "'. Try ACL HELP.")
		return
	}
	count := int64(10)
	if len(args) == 3 {
		if equalFold(args[2], "reset") {
			s.e.aclLogEntries.Reset()
			s.w.OK()
			return
		}
		n, ok := parseInt(args[2])
		if !ok {
			s.w.Error(errNotInt)
			return
		}
		count = max(n, 0)
	}
	entries := s.e.aclLogEntries.Entries(int(min(count, int64(1)<<30)))
	now := s.e.now().UnixMilli()
	w := &s.w
	w.Array(len(entries))
	for _, le := range entries {
		w.Map(7)
		w.BulkString("count")
		w.Int(le.Count)
		w.BulkString("reason")
		w.BulkString(le.Reason)
		w.BulkString("context")
		w.BulkString(le.Context)
		w.BulkString("object")
		w.BulkString(le.Object)
		w.BulkString("username")
		w.BulkString(le.Username)
		w.BulkString("age-seconds")
		w.Double(float64(now-le.TimeMs) / 1000)
		w.BulkString("client-info")
		w.BulkString(le.ClientInfo)
	}
}

// ACL DRYRUN username command [arg ...]
func cmdACLDryRun(s *Session, args [][]byte) {
	u := s.e.users.Get(string(args[2]))
	if u == nil {
		s.w.Error("ERR User '" + string(args[2]) + "' not found")
		return
	}
	cmdArgs := args[3:]
	cmd := s.e.aclLookupCommand(cmdArgs)
	if cmd == nil {
		s.w.Error("ERR Command '" + string(cmdArgs[0]) + "' not found")
		return
	}
	if !arityOK(cmd.Arity, len(cmdArgs)) {
		s.w.Error("ERR wrong number of arguments for '" + cmd.Name + "' command")
		return
	}
	res, pos := u.Check(s.e.users.Match(), cmd.acl, cmdArgs, (*aclFinder)(s.e))
	switch res {
	case acl.OK:
		s.w.OK()
	case acl.DeniedCmd:
		s.w.BulkString("This user has no permissions to run the '" + cmd.Name + "' command")
	case acl.DeniedKey:
		s.w.BulkString("This user has no permissions to access the '" + string(cmdArgs[pos]) + "' key")
	default:
		s.w.BulkString("This user has no permissions to access the '" + string(cmdArgs[pos]) + "' channel")
	}
}

const errNoACLFile = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."

// ACL LOAD
func cmdACLLoad(s *Session, args [][]byte) {
	if msg := s.e.loadACLFile(s); msg != "" {
		s.w.Error(safeError(msg))
		return
	}
	s.w.OK()
}

// loadACLFile is ACLLoadFromFile on the configured aclfile; it returns
// the error reply, or "".
func (e *Engine) loadACLFile(self *Session) string {
	path := e.config.param("aclfile").value
	if path == "" || e.aclFile == nil {
		return errNoACLFile
	}
	text, err := e.aclFile.Read(path)
	if err != nil {
		return "ERR Error loading ACLs, opening file '" + path + "': " + err.Error()
	}
	replaced, errs := e.users.LoadFile(path, text)
	if errs != "" {
		return "ERR " + errs
	}
	e.aclDefaultChanged()
	e.aclDropClients(self, replaced)
	return ""
}

// ACL SAVE
func cmdACLSave(s *Session, args [][]byte) {
	path := s.e.config.param("aclfile").value
	if path == "" || s.e.aclFile == nil {
		s.w.Error(errNoACLFile)
		return
	}
	if err := s.e.aclFile.Write(path, s.e.users.SaveText()); err != nil {
		s.e.logLevel('#', err.Error())
		s.w.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
		return
	}
	s.w.OK()
}

// ACL HELP
func cmdACLHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "ACL", []string{
		"CAT [<category>]",
		"    List all commands that belong to <category>, or all command categories",
		"    when no category is specified.",
		"DELUSER <username> [<username> ...]",
		"    Delete a list of users.",
		"DRYRUN <username> <command> [<arg> ...]",
		"    Returns whether the user can execute the given command without executing the command.",
		"GETUSER <username>",
		"    Get the user's details.",
		"GENPASS [<bits>]",
		"    Generate a secure 256-bit user password. The optional `bits` argument can",
		"    be used to specify a different size.",
		"LIST",
		"    Show users details in config file format.",
		"LOAD",
		"    Reload users from the ACL file.",
		"LOG [<count> | RESET]",
		"    Show the ACL log entries.",
		"SAVE",
		"    Save the current config to the ACL file.",
		"SETUSER <username> <attribute> [<attribute> ...]",
		"    Create or modify a user with the specified attributes.",
		"USERS",
		"    List all the registered usernames.",
		"WHOAMI",
		"    Return the current connection username.",
	})
}

// LoadACL applies the config file's user lines and then the aclfile, as
// Redis's ACLLoadUsersAtStartup; the error is what Redis logs before it
// exits.
func (e *Engine) LoadACL() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	path := e.config.param("aclfile").value
	if path != "" && len(e.configUsers) > 0 {
		return &acl.SetUserError{Msg: "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both."}
	}
	if err := e.users.LoadConfigUsers(e.configUsers); err != nil {
		return &acl.SetUserError{Msg: err.Error() + "\nCritical error while loading ACLs. Exiting."}
	}
	for _, l := range e.configUsers {
		if u := e.users.Get(l[0]); u != nil && !u.Enabled() {
			e.logLevel('*', "The user '"+l[0]+"' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.")
		}
	}
	if path != "" {
		if msg := e.loadACLFile(nil); msg != "" {
			return &acl.SetUserError{Msg: "Aborting Redis startup because of ACL errors: " + strings.TrimPrefix(msg, "ERR ")}
		}
	}
	e.aclDefaultChanged()
	return nil
}

// ValidateACLUser checks a config file "user" line (name, then rules)
// as Redis does while it reads the file; bad is the index in args of the
// rule at fault.
func ValidateACLUser(args []string) (bad int, err error) {
	e := &Engine{config: newConfig(), cat: sharedCommands()}
	e.commands = e.cat.table
	e.aclSetup()
	return e.users.ValidateUserLine(args)
}
