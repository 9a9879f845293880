package engine

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
)

// FuzzDispatch runs random commands on a session: the engine must never
// panic and every command must produce exactly one reply (pushes aside),
// as a client counting replies relies on it.
//
// Input: commands separated by '\n', arguments by ' '. A one-byte first
// argument picks a command from the table, so the fuzzer reaches every
// handler.
func FuzzDispatch(f *testing.F) {
	for _, seed := range []string{
		"SET a 1\nGET a\nINCR a\nDEL a",
		"HELLO 3\nGET x\nSET x y EX 10\nTTL x",
		"MULTI\nSET a b\nGET a\nEXEC",
		"MULTI\nNOSUCH\nEXEC",
		"RPUSH l a b c\nLRANGE l 0 -1\nLPOP l 2",
		"HSET h f v\nHGETALL h\nSADD s a\nSMEMBERS s",
		"ZADD z 1 a\nZRANGE z 0 -1 WITHSCORES",
		"SUBSCRIBE a b\nPING\nUNSUBSCRIBE",
		"HELLO 3\nSUBSCRIBE c\nPUBLISH c m\nUNSUBSCRIBE c",
		"SELECT 3\nSET k v\nMOVE k 0\nSWAPDB 0 3",
		"\x01 a b\n\x02\n\x03 x\n\x04 1 2 3",
		"CLIENT SETNAME x\nCLIENT LIST\nCLIENT INFO",
		"CONFIG GET *\nINFO\nCOMMAND COUNT",
		"WATCH a\nSET a 1\nMULTI\nGET a\nEXEC",
		"BLPOP l 0",
		"RESET\nAUTH x\nQUIT",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, clk := testEngine(t)
		names := make([]string, 0, len(e.commands))
		for name := range e.commands {
			names = append(names, name)
		}
		slices.Sort(names)
		s := e.NewSession(ClientInfo{Addr: "127.0.0.1:50000", LAddr: "127.0.0.1:6379", Kind: "fuzz"})
		defer s.Close()
		other := e.NewSession(ClientInfo{Addr: "127.0.0.1:50001", LAddr: "127.0.0.1:6379", Kind: "fuzz"})
		defer other.Close()
		for i, line := range bytes.Split(data, []byte("\n")) {
			if i >= 64 {
				break
			}
			args := bytes.Split(line, []byte(" "))
			if len(args[0]) == 1 && args[0][0] < 32 {
				args[0] = []byte(names[int(args[0][0])%len(names)])
			}
			if fuzzExcluded(args) {
				continue
			}
			start := time.Now()
			st := s.Exec(args)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("%q took %v", args, d)
			}
			out := s.TakeOutput(nil)
			n, pushes, err := fuzzCountReplies(out)
			if err != nil {
				t.Fatalf("%q: bad RESP %q: %v", args, out, err)
			}
			if st&StatusBlocked != 0 {
				if n != 0 {
					t.Fatalf("%q: blocked but replied %q", args, out)
				}
				return // the host would wait; nothing more to run
			}
			if fuzzIsSubscribe(args[0]) && !s.fuzzInMulti() {
				if n+pushes == 0 {
					t.Fatalf("%q: no reply", args)
				}
			} else if n != 1 {
				t.Fatalf("%q: %d replies, want 1: %q", args, n, out)
			}
			if st&StatusClose != 0 {
				return
			}
			_ = other.TakeOutput(nil)
			clk.Advance(time.Millisecond)
		}
	})
}

// fuzzInMulti reports whether a MULTI is open (then SUBSCRIBE is just queued).
func (s *Session) fuzzInMulti() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.multi != nil
}

// fuzzExcluded names commands that would stop or stall the process,
// touch files, switch replies off (CLIENT REPLY) or allocate huge values,
// none of which the reply count can judge.
func fuzzExcluded(args [][]byte) bool {
	for _, a := range args[1:] {
		// offsets like SETRANGE k 500000000 x allocate hundreds of MB:
		// correct, but no place for a fuzz loop
		if n, err := strconv.ParseInt(string(a), 10, 64); err == nil && (n > 1_000_000 || n < -1_000_000) {
			return true
		}
	}
	name := string(bytes.ToLower(args[0]))
	switch name {
	case "debug", "monitor", "shutdown", "save", "bgsave", "bgrewriteaof", "sync", "psync",
		"replicaof", "slaveof", "failover", "module", "wait", "waitaof":
		return true
	case "client", "config":
		if len(args) > 1 {
			sub := string(bytes.ToLower(args[1]))
			return sub == "reply" || sub == "pause" || sub == "rewrite" || sub == "kill"
		}
	}
	return false
}

func fuzzIsSubscribe(name []byte) bool {
	switch string(bytes.ToLower(name)) {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
		return true
	}
	return false
}

// fuzzCountReplies parses out as a sequence of RESP2/RESP3 replies and counts
// them, pushes (RESP3 '>') apart.
func fuzzCountReplies(out []byte) (replies, pushes int, err error) {
	for len(out) > 0 {
		typ := out[0]
		rest, err := fuzzSkipReply(out)
		if err != nil {
			return 0, 0, err
		}
		if typ == '>' {
			pushes++
		} else {
			replies++
		}
		out = rest
	}
	return replies, pushes, nil
}

// fuzzSkipReply returns what follows the first complete reply in b.
func fuzzSkipReply(b []byte) ([]byte, error) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 1 {
		return nil, fmt.Errorf("no line")
	}
	typ, text, rest := b[0], string(b[1:i]), b[i+2:]
	switch typ {
	case '+', '-', ':', '_', ',', '#', '(':
		return rest, nil
	case '$', '!', '=':
		n, err := strconv.Atoi(text)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return rest, nil
		}
		if len(rest) < n+2 || rest[n] != '\r' || rest[n+1] != '\n' {
			return nil, fmt.Errorf("bad bulk")
		}
		return rest[n+2:], nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(text)
		if err != nil {
			return nil, err
		}
		if typ == '%' || typ == '|' {
			n *= 2
		}
		for range n {
			if rest, err = fuzzSkipReply(rest); err != nil {
				return nil, err
			}
		}
		if typ == '|' {
			return fuzzSkipReply(rest)
		}
		return rest, nil
	}
	return nil, fmt.Errorf("unknown type %q", typ)
}
