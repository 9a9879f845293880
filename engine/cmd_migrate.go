package engine

import (
	"time"
)

// MIGRATE moves keys to another server with DUMP payloads: the engine
// builds the RESTORE commands and interprets the replies; the host's
// Migrator does the blocking exchange on a cached connection, as Redis's
// migrateCommand does in its one thread (the command holds the server
// for at most its timeout).

// Migrator exchanges MIGRATE's commands with a target server.
type Migrator interface {
	// Migrate sends req on the cached connection to req.Host:req.Port
	// (connecting first when there is none) and reads the replies.
	Migrate(req *MigrateRequest) MigrateResult
	// Forget closes the cached connection to host:port.
	Forget(host, port string)
	// SetLastDB records the database the connection's last SELECT chose
	// (-1 after an error, so the next MIGRATE selects again).
	SetLastDB(host, port string, db int64)
	// CachedConnections closes the connections idle past the cache's TTL
	// and returns how many stay (INFO migrate_cached_sockets).
	CachedConnections() int
}

// MigrateRequest is one MIGRATE's exchange.
type MigrateRequest struct {
	Host, Port string
	Timeout    time.Duration
	// DB is the target database; the Migrator sends SELECT first unless
	// the connection already has it selected.
	DB int64
	// Username and Password, when Password is set, are sent as AUTH
	// first.
	Username, Password string
	// Restores are the RESTORE (or RESTORE-ASKING) commands, one per key.
	Restores [][][]byte
}

// MigrateResult is what the exchange gave.
type MigrateResult struct {
	// ConnectFailed: no connection could be made.
	ConnectFailed bool
	// Selected is set when SELECT was sent.
	Selected bool
	// AuthReply and SelectReply are the first lines of those replies.
	AuthReply, SelectReply string
	// Replies are the first lines of the RESTORE replies read, in order;
	// fewer than sent after a socket error.
	Replies []string
	// WriteFailed: sending failed; ReadFailed: reading AUTH's or
	// SELECT's reply failed. TimedOut: the failure was the timeout.
	WriteFailed, ReadFailed, TimedOut bool
}

// SetMigrator installs the host's Migrator; without one MIGRATE answers
// that it cannot connect.
func (e *Engine) SetMigrator(m Migrator) {
	e.mu.Lock()
	e.migrator = m
	e.mu.Unlock()
}

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
// [AUTH password] [AUTH2 username password] [KEYS key [key ...]]
func cmdMigrate(s *Session, args [][]byte) {
	e := s.e
	copyKeys, replace := false, false
	var username, password string
	firstKey, numKeys := 3, 1
	for j := 6; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case equalFold(args[j], "copy"):
			copyKeys = true
		case equalFold(args[j], "replace"):
			replace = true
		case equalFold(args[j], "auth"):
			if more == 0 {
				s.w.Error(errSyntax)
				return
			}
			j++
			password = string(args[j])
		case equalFold(args[j], "auth2"):
			if more < 2 {
				s.w.Error(errSyntax)
				return
			}
			username, password = string(args[j+1]), string(args[j+2])
			j += 2
		case equalFold(args[j], "keys"):
			if len(args[3]) != 0 {
				s.w.Error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string")
				return
			}
			firstKey, numKeys = j+1, len(args)-j-1
			j = len(args)
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	timeout, ok := parseInt(args[5])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	dbid, ok := parseInt(args[4])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	if timeout <= 0 {
		timeout = 1000
	}
	type found struct {
		key []byte
		str string
		obj object
	}
	var keys []found
	for _, k := range args[firstKey : firstKey+numKeys] {
		if str, obj, ok := s.lookupRead(k); ok {
			keys = append(keys, found{k, str, obj})
		}
	}
	if len(keys) == 0 {
		s.w.Simple("NOKEY")
		return
	}
	restore := []byte("RESTORE")
	if e.cluster != nil {
		restore = []byte("RESTORE-ASKING")
	}
	req := &MigrateRequest{
		Host: string(args[1]), Port: string(args[2]), Timeout: time.Duration(timeout) * time.Millisecond,
		DB: dbid, Username: username, Password: password,
	}
	var sent []found
	for _, k := range keys {
		ttl := int64(0)
		if at := s.db.deadline(tmpString(k.key)); at != -1 {
			ttl = at - e.nowMs
			if ttl < 0 {
				continue
			}
			ttl = max(ttl, 1)
		}
		cmd := [][]byte{restore, k.key, int64Arg(ttl), s.dumpPayload(k.str, k.obj)}
		if replace {
			cmd = append(cmd, []byte("REPLACE"))
		}
		req.Restores = append(req.Restores, cmd)
		sent = append(sent, k)
	}
	if e.migrator == nil {
		s.w.Error("IOERR error or timeout connecting to the client")
		return
	}
	mayRetry := true
	for {
		r := e.migrator.Migrate(req)
		if r.ConnectFailed {
			s.w.Error("IOERR error or timeout connecting to the client")
			return
		}
		writeError := r.WriteFailed
		socketErr := r.WriteFailed || r.ReadFailed
		if !socketErr {
			errorFromTarget := false
			var deleted [][]byte
			if len(r.Replies) > len(sent) {
				r.Replies = r.Replies[:len(sent)]
			}
			for j, line := range r.Replies {
				switch {
				case password != "" && len(r.AuthReply) > 0 && r.AuthReply[0] == '-',
					r.Selected && len(r.SelectReply) > 0 && r.SelectReply[0] == '-',
					len(line) > 0 && line[0] == '-':
					if !errorFromTarget {
						e.migrator.SetLastDB(req.Host, req.Port, -1)
						msg := line
						if password != "" && len(r.AuthReply) > 0 && r.AuthReply[0] == '-' {
							msg = r.AuthReply
						} else if r.Selected && len(r.SelectReply) > 0 && r.SelectReply[0] == '-' {
							msg = r.SelectReply
						}
						errorFromTarget = true
						s.w.Error("ERR Target instance replied with error: " + msg[1:])
					}
				default:
					if !copyKeys {
						k := sent[j].key
						s.deleteKey(k)
						s.notifyEvent(notifyGeneric, "del", k)
						deleted = append(deleted, k)
					}
				}
			}
			short := len(r.Replies) < len(req.Restores)
			if !errorFromTarget && short && len(r.Replies) == 0 && mayRetry && !r.TimedOut {
				e.migrator.Forget(req.Host, req.Port)
				mayRetry = false
				continue
			}
			if short {
				e.migrator.Forget(req.Host, req.Port)
			}
			if !copyKeys {
				if len(deleted) > 0 {
					s.rewriteArgv(append([][]byte{argDel}, deleted...)...)
				} else {
					s.preventPropagation()
				}
			}
			if !errorFromTarget && short {
				s.w.Error("IOERR error or timeout reading to target instance")
				return
			}
			if !errorFromTarget {
				e.migrator.SetLastDB(req.Host, req.Port, dbid)
				s.w.OK()
			}
			return
		}
		e.migrator.Forget(req.Host, req.Port)
		if !r.TimedOut && mayRetry {
			mayRetry = false
			continue
		}
		what := "reading"
		if writeError {
			what = "writing"
		}
		s.w.Error("IOERR error or timeout " + what + " to target instance")
		return
	}
}
