// Package acl is Redis 7.0's access control model: users with passwords
// and flags, selectors of command, key and channel permissions, the rule
// language of ACL SETUSER and of "user" lines, the description ACL LIST and
// GETUSER show, and the checks run before each command.
//
// It knows nothing of the engine. The engine hands it a Table of its
// commands (names, categories, subcommands) and, for each check, the
// command and its arguments plus a Finder that locates their keys and
// channels; glob matching is passed in as a function so that keys match
// exactly as KEYS and PSUBSCRIBE match them.
//
//	t := acl.NewTable(cmds)            // once, from the command table
//	users := acl.NewUsers(t, acl.Options{Match: globMatch})
//	if err := users.SetUser("alice", []string{"on", ">pw", "~app:*", "+@read"}); err != nil { ... }
//	u := users.Get("alice")
//	res, pos := u.Check(cmd, args, finder) // acl.OK, or why not and where
package acl
