package engine

import (
	"sort"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/engine/acl"
)

// CLIENT ID
func cmdClientID(s *Session, args [][]byte) { s.w.Int(s.id) }

// CLIENT SETNAME connection-name
func cmdClientSetName(s *Session, args [][]byte) {
	if msg := validClientName(args[2]); msg != "" {
		s.w.Error(msg)
		return
	}
	s.name = string(args[2])
	s.w.OK()
}

// CLIENT GETNAME
func cmdClientGetName(s *Session, args [][]byte) {
	if s.name == "" {
		s.w.Null()
		return
	}
	s.w.BulkString(s.name)
}

// clientType is the class CLIENT LIST TYPE and CLIENT KILL TYPE filter on.
func (s *Session) clientType() string {
	if s.replica != nil {
		return "replica"
	}
	if s.fromMaster {
		return "master"
	}
	if s.pubsub.active() {
		return "pubsub"
	}
	return "normal"
}

// parseClientType maps a TYPE argument to a class; ok is false for an
// unknown one.
func parseClientType(b []byte) (string, bool) {
	switch strings.ToLower(string(b)) {
	case "normal":
		return "normal", true
	case "slave", "replica":
		return "replica", true
	case "master":
		return "master", true
	case "pubsub":
		return "pubsub", true
	}
	return "", false
}

// sortedSessions lists the sessions by ID, as Redis lists its clients in
// connection order.
func (e *Engine) sortedSessions() []*Session {
	out := make([]*Session, 0, len(e.sessions))
	for _, s := range e.sessions {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// clientInfoLine describes c in Redis 7.0's CLIENT LIST format. self is
// the session running
// the command, whose current command and arguments are args. The engine
// does not see the host's socket: fd is -1; the query buffer is what the
// host reports (NoteQueryBuffer), and for self counts the running command
// as Redis does; memory counts what the engine holds.
func (e *Engine) clientInfoLine(c, self *Session, args [][]byte) string {
	if c != e.current {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	obl, oll, omem := c.w.replyList()
	return e.clientInfoWith(c, self, args, obl, oll, omem)
}

// clientInfoWith is clientInfoLine with c's output usage given, with c's
// lock held.
func (e *Engine) clientInfoWith(c, self *Session, args [][]byte, obl, oll, omem int64) string {
	now := e.now()
	flags := ""
	switch {
	case c.replica != nil:
		flags += "S"
	case c.fromMaster:
		flags += "M"
	case c.monitor:
		flags += "O"
	}
	if c.pubsub.active() {
		flags += "P"
	}
	if c.multi != nil {
		flags += "x"
	}
	if c.blocked != nil {
		flags += "b"
	}
	if c.tracking != nil {
		flags += "t"
		if c.tracking.bcast {
			flags += "B"
		}
	}
	if c.dirtyCAS {
		flags += "d"
	}
	if c.closeAfterReply {
		flags += "c"
	}
	if c.info.Kind == "unix" {
		flags += "U"
	}
	if c.readonlyCluster {
		flags += "r"
	}
	if c.noEvict {
		flags += "e"
	}
	if flags == "" {
		flags = "N"
	}
	sub, psub, ssub := 0, 0, 0
	if p := c.pubsub; p != nil {
		sub, psub, ssub = len(p.channels), len(p.patterns), len(p.shards)
	}
	multi := int64(-1)
	multiMem := 0
	if c.multi != nil {
		multi = int64(len(c.multi.queue))
		for _, q := range c.multi.queue {
			for _, a := range q.args {
				multiMem += len(a)
			}
		}
	}
	argvMem := 0
	qbuf, qbufCap := c.qbufUsed.Load(), c.qbufCap.Load()
	cmd := c.lastCmd
	if c == self {
		// The running command is still in Redis's query buffer: count it
		// as the multibulk request it arrived as.
		qbuf = int64(1 + len(strconv.Itoa(len(args))) + 2)
		for _, a := range args {
			argvMem += len(a)
			qbuf += int64(1 + len(strconv.Itoa(len(a))) + 2 + len(a) + 2)
		}
		cmd = "client|" + strings.ToLower(string(args[1]))
	}
	if cmd == "" {
		cmd = "NULL"
	}
	// tot-mem is Redis's getClientMemoryUsage: what client eviction
	// weighs; the running command's arguments count as Redis's argv.
	totMem := c.memoryWith(omem) + qbufCap
	if c == self {
		totMem += int64(argvMem + 8*len(args))
	}
	idle := int64(now.Sub(c.lastAt).Seconds())
	if c == self {
		idle = 0
	}
	redir := int64(-1)
	if c.tracking != nil {
		redir = c.tracking.redirect
	}
	itoa := func(v int64) string { return strconv.FormatInt(v, 10) }
	// Name and value pairs, joined in one loop: a call per field, once
	// inlined, made this the largest engine function of the wasm build.
	fields := [...]string{
		"id", itoa(c.id),
		"addr", c.info.Addr,
		"laddr", c.info.LAddr,
		"fd", "-1",
		"name", c.name,
		"age", itoa(int64(now.Sub(c.created).Seconds())),
		"idle", itoa(idle),
		"flags", flags,
		"db", itoa(int64(c.db.id)),
		"sub", itoa(int64(sub)),
		"psub", itoa(int64(psub)),
		"ssub", itoa(int64(ssub)),
		"multi", itoa(multi),
		"qbuf", itoa(qbuf),
		"qbuf-free", itoa(max(qbufCap-qbuf, 0)),
		"argv-mem", itoa(int64(argvMem)),
		"multi-mem", itoa(int64(multiMem)),
		"rbs", itoa(c.w.replyBufSize()),
		"rbp", itoa(c.w.rbp),
		"obl", itoa(obl),
		"oll", itoa(oll),
		"omem", itoa(omem),
		"tot-mem", itoa(totMem),
		"events", "r",
		"cmd", cmd,
		"user", c.clientUser(),
		"redir", itoa(redir),
		"resp", itoa(int64(c.w.proto)),
	}
	var b strings.Builder
	for i := 0; i < len(fields); i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fields[i])
		b.WriteByte('=')
		b.WriteString(fields[i+1])
	}
	return b.String()
}

// CLIENT INFO
func cmdClientInfo(s *Session, args [][]byte) {
	s.w.Verbatim("txt", s.e.clientInfoLine(s, s, args)+"\n")
}

// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]
func cmdClientList(s *Session, args [][]byte) {
	var typ string
	var ids map[int64]bool
	switch {
	case len(args) == 2:
	case len(args) == 4 && equalFold(args[2], "type"):
		t, ok := parseClientType(args[3])
		if !ok {
			s.w.Error("ERR Unknown client type '" + string(args[3]) + "'")
			return
		}
		typ = t
	case len(args) >= 4 && equalFold(args[2], "id"):
		ids = map[int64]bool{}
		for _, a := range args[3:] {
			n, ok := parseInt(a)
			if !ok || n <= 0 {
				s.w.Error("ERR Invalid client ID")
				return
			}
			ids[n] = true
		}
	default:
		s.w.Error(errSyntax)
		return
	}
	var b strings.Builder
	for _, c := range s.e.sortedSessions() {
		if typ != "" && c.clientType() != typ {
			continue
		}
		if ids != nil && !ids[c.id] {
			continue
		}
		b.WriteString(s.e.clientInfoLine(c, s, args))
		b.WriteByte('\n')
	}
	s.w.Verbatim("txt", b.String())
}

// CLIENT KILL ip:port
// CLIENT KILL [ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO] [...]
func cmdClientKill(s *Session, args [][]byte) {
	e := s.e
	if len(args) == 3 {
		addr := string(args[2])
		for _, c := range e.sortedSessions() {
			if c.info.Addr == addr {
				e.killClient(s, c)
				s.w.OK()
				return
			}
		}
		s.w.Error("ERR No such client")
		return
	}
	var (
		id          int64
		typ         string
		addr, laddr string
		haveType    bool
		haveAddr    bool
		haveLAddr   bool
		skipMe      = true
		user        *acl.User
	)
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			s.w.Error(errSyntax)
			return
		}
		opt, val := args[i], args[i+1]
		switch {
		case equalFold(opt, "id"):
			n, ok := parseInt(val)
			if !ok || n <= 0 {
				s.w.Error("ERR client-id should be greater than 0")
				return
			}
			id = n
		case equalFold(opt, "type"):
			t, ok := parseClientType(val)
			if !ok {
				s.w.Error("ERR Unknown client type '" + string(val) + "'")
				return
			}
			typ, haveType = t, true
		case equalFold(opt, "addr"):
			addr, haveAddr = string(val), true
		case equalFold(opt, "laddr"):
			laddr, haveLAddr = string(val), true
		case equalFold(opt, "user"):
			if user = e.users.Get(string(val)); user == nil {
				s.w.Error("ERR No such user '" + string(val) + "'")
				return
			}
		case equalFold(opt, "skipme"):
			switch {
			case equalFold(val, "yes"):
				skipMe = true
			case equalFold(val, "no"):
				skipMe = false
			default:
				s.w.Error(errSyntax)
				return
			}
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	killed := 0
	for _, c := range e.sortedSessions() {
		switch {
		case id != 0 && c.id != id,
			haveType && c.clientType() != typ,
			haveAddr && c.info.Addr != addr,
			haveLAddr && c.info.LAddr != laddr,
			user != nil && c.user != user,
			c == s && skipMe:
			continue
		}
		e.killClient(s, c)
		killed++
	}
	s.w.Int(int64(killed))
}

// killClient closes c: at once for another client, after this reply for
// the caller itself.
func (e *Engine) killClient(self, c *Session) {
	if c == self {
		c.closeAfterReply = true
		return
	}
	c.mu.Lock()
	c.closeAfterReply = true
	c.mu.Unlock()
	if c.info.Close != nil {
		c.info.Close()
	}
	c.notify()
	if m := e.master; c.fromMaster && m != nil && m.state == linkConnected {
		// Redis frees the master client at once: the link is down from
		// now, not from when the replication goroutine next gets the
		// lock (after a DEBUG SLEEP, say), which the age of a replica's
		// data for a cluster failover counts from.
		e.masterLinkLost(m)
	}
}

// CLIENT REPLY ON|OFF|SKIP
func cmdClientReply(s *Session, args [][]byte) {
	switch {
	case equalFold(args[2], "on"):
		// SKIP silences this very command: ON lifts it, so its OK is sent.
		s.reply.off, s.reply.skip = false, false
		s.w.OK()
	case equalFold(args[2], "off"):
		s.reply.off = true
	case equalFold(args[2], "skip"):
		if !s.reply.off {
			s.reply.skipNext = true
		}
	default:
		s.w.Error(errSyntax)
	}
}

// onOff reads ON or OFF; ok is false for anything else.
func onOff(b []byte) (on, ok bool) {
	switch {
	case equalFold(b, "on"):
		return true, true
	case equalFold(b, "off"):
		return false, true
	}
	return false, false
}

// CLIENT NO-EVICT ON|OFF
func cmdClientNoEvict(s *Session, args [][]byte) {
	on, ok := onOff(args[2])
	if !ok {
		s.w.Error(errSyntax)
		return
	}
	s.noEvict = on
	s.w.OK()
}

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
func cmdClientUnblock(s *Session, args [][]byte) {
	id, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	withError := false
	if len(args) == 4 {
		switch {
		case equalFold(args[3], "timeout"):
		case equalFold(args[3], "error"):
			withError = true
		default:
			s.w.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	} else if len(args) > 4 {
		s.w.Error(errSyntax)
		return
	}
	c := s.e.sessions[id]
	if c == nil || c.blocked == nil {
		s.w.Int(0)
		return
	}
	if s.e.unblockClient(c, withError) {
		s.w.Int(1)
		return
	}
	s.w.Int(0)
}

// CLIENT PAUSE timeout [WRITE | ALL]
func cmdClientPause(s *Session, args [][]byte) {
	ms, ok := parseInt(args[2])
	if !ok {
		s.w.Error("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		s.w.Error("ERR timeout is negative")
		return
	}
	all := true
	if len(args) == 4 {
		switch {
		case equalFold(args[3], "write"):
			all = false
		case equalFold(args[3], "all"):
		default:
			s.w.Error("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	} else if len(args) > 4 {
		s.w.Error(errSyntax)
		return
	}
	st := &s.e.srv
	end := s.e.nowMs + ms
	if st.pauseEnd == 0 || s.e.nowMs >= st.pauseEnd {
		st.pauseEnd, st.pauseAll = end, all
	} else {
		// A running pause is never shortened nor made less strict.
		st.pauseEnd = max(st.pauseEnd, end)
		st.pauseAll = st.pauseAll || all
	}
	s.w.OK()
}

// CLIENT UNPAUSE
func cmdClientUnpause(s *Session, args [][]byte) {
	s.e.unpause(s)
	s.w.OK()
}

// CLIENT HELP
func cmdClientHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "CLIENT", []string{
		"GETNAME",
		"    The name of this connection.",
		"ID",
		"    The ID of this connection.",
		"INFO",
		"    This connection, described as one CLIENT LIST line.",
		"KILL <ip:port>",
		"    Close the connection coming from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Close the connections matching every filter. Filters:",
		"    * ID <client-id>",
		"    * ADDR <ip:port>, LADDR <ip:port>",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"    * USER <username>",
		"    * SKIPME (YES|NO): leave this connection alone (default YES).",
		"LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> ...]",
		"    Describe the connections, one line each.",
		"NO-EVICT (ON|OFF)",
		"    Exempt this connection from client eviction, or not.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Hold back the commands of every client (or only writes) for <timeout> ms.",
		"UNPAUSE",
		"    End CLIENT PAUSE now.",
		"REPLY (ON|OFF|SKIP)",
		"    Send replies, stop sending them, or drop only the next one.",
		"SETNAME <name>",
		"    Name this connection.",
		"UNBLOCK <client-id> [TIMEOUT|ERROR]",
		"    End a client's blocking wait as a timeout (default) or with an error.",
	})
}
