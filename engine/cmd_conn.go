package engine

import "github.com/goredis-dev/goredis/engine/acl"

func connectionHandlers() []handlerEntry {
	return []handlerEntry{
		{"ping", cmdPing},
		{"echo", cmdEcho},
		{"quit", cmdQuit},
		{"select", cmdSelect},
		{"hello", cmdHello},
		{"auth", cmdAuth},
		{"reset", cmdReset},
		{"client|id", cmdClientID},
		{"client|setname", cmdClientSetName},
		{"client|getname", cmdClientGetName},
		{"client|list", cmdClientList},
		{"client|info", cmdClientInfo},
		{"client|kill", cmdClientKill},
		{"client|reply", cmdClientReply},
		{"client|no-evict", cmdClientNoEvict},
		{"client|unblock", cmdClientUnblock},
		{"client|pause", cmdClientPause},
		{"client|unpause", cmdClientUnpause},
		{"client|help", cmdClientHelp},
	}
}

// PING [message]
func cmdPing(s *Session, args [][]byte) {
	if len(args) > 2 {
		s.w.Error("ERR wrong number of arguments for 'ping' command")
		return
	}
	if s.pubsub.active() && s.w.proto == 2 {
		// Subscribed RESP2 clients get PING in the message shape.
		s.w.Array(2)
		s.w.BulkString("pong")
		if len(args) == 2 {
			s.w.Bulk(args[1])
		} else {
			s.w.BulkString("")
		}
		return
	}
	if len(args) == 2 {
		s.w.Bulk(args[1])
		return
	}
	s.w.Simple("PONG")
}

// ECHO message
func cmdEcho(s *Session, args [][]byte) { s.w.Bulk(args[1]) }

// QUIT
func cmdQuit(s *Session, args [][]byte) {
	s.w.OK()
	s.closeAfterReply = true
}

// SELECT index
func cmdSelect(s *Session, args [][]byte) {
	if n, ok := parseInt(args[1]); ok && n != 0 && n == int64(int32(n)) && s.e.cluster != nil {
		s.w.Error("ERR SELECT is not allowed in cluster mode")
		return
	}
	db, ok := s.dbArg(args[1])
	if !ok {
		return
	}
	s.db = db
	s.w.OK()
}

// AUTH [username] password
func cmdAuth(s *Session, args [][]byte) {
	if len(args) > 3 {
		s.w.Error(errSyntax)
		return
	}
	user, pass := "default", string(args[1])
	if len(args) == 3 {
		user, pass = string(args[1]), string(args[2])
	}
	if msg := s.authenticate(args[0], user, pass, len(args) == 2); msg != "" {
		s.w.Error(msg)
		return
	}
	s.w.OK()
}

// authenticate is ACLAuthenticateUser: the user must exist, be on, and
// take the password (any, when nopass). legacy is the one-argument AUTH
// form, refused while the default user needs no password. A failure is
// logged in the ACL LOG against the command's name as typed (object).
// It returns the error text or "".
func (s *Session) authenticate(object []byte, user, pass string, legacy bool) string {
	if legacy && s.e.users.Default().NoPass() {
		return errNoPassSet
	}
	u := s.e.users.Get(user)
	if u == nil || !u.CheckPassword(pass) {
		ctx := acl.CtxToplevel
		if s.multi != nil {
			ctx = acl.CtxMulti
		}
		s.e.aclLogAdd(s, acl.DeniedAuth, ctx, string(object), user)
		return errWrongPass
	}
	s.authed = true
	s.user = u
	return ""
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func cmdHello(s *Session, args [][]byte) {
	proto := s.w.proto
	i := 1
	if len(args) >= 2 {
		v, ok := parseInt(args[1])
		if !ok {
			s.w.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			s.w.Error(errNoProto)
			return
		}
		proto = int(v)
		i = 2
	}
	var setName []byte
	haveName := false
	for ; i < len(args); i++ {
		more := len(args) - i - 1
		switch {
		case equalFold(args[i], "auth") && more >= 2:
			if msg := s.authenticate(args[0], string(args[i+1]), string(args[i+2]), false); msg != "" {
				s.w.Error(msg)
				return
			}
			i += 2
		case equalFold(args[i], "setname") && more >= 1:
			setName, haveName = args[i+1], true
			i++
		default:
			s.w.Error("ERR Syntax error in HELLO option '" + string(args[i]) + "'")
			return
		}
	}
	if !s.authed {
		s.w.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if haveName {
		if msg := validClientName(setName); msg != "" {
			s.w.Error(msg)
			return
		}
		s.name = string(setName)
	}
	s.w.proto = proto
	s.w.Map(7)
	s.w.BulkString("server")
	s.w.BulkString("GoRedis") // the product's name; "version" is the Redis we follow
	s.w.BulkString("version")
	s.w.BulkString(Version)
	s.w.BulkString("proto")
	s.w.Int(int64(proto))
	s.w.BulkString("id")
	s.w.Int(s.id)
	s.w.BulkString("mode")
	s.w.BulkString(s.e.serverMode())
	s.w.BulkString("role")
	s.w.BulkString("master")
	s.w.BulkString("modules")
	s.w.Array(0)
}

// validClientName refuses names with spaces or special characters, as
// Redis does.
func validClientName(name []byte) string {
	for _, c := range name {
		if c < '!' || c > '~' {
			return "ERR Client names cannot contain spaces, newlines or special characters."
		}
	}
	return ""
}

// RESET
func cmdReset(s *Session, args [][]byte) {
	s.multi = nil
	s.unwatchAll()
	s.unsubscribeAll()
	s.db = s.ks.dbs[0]
	s.w.proto = 2
	s.name = ""
	// Redis clears OFF and a pending SKIP; a SKIP in force still
	// silences this very reply.
	s.reply.off, s.reply.skipNext = false, false
	s.noEvict = false
	s.setDefaultAuth()
	s.w.Simple("RESET")
}
