package netserver

import (
	"errors"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/resp"
)

// batcher is the part of a peer that does not depend on how its bytes
// move (a goroutine per peer or the event loop): its session, its request
// reader, and the running of the commands buffered in the reader.
type batcher struct {
	sess *engine.Session
	rd   *resp.Reader

	// State of the batch ExecBatch is pulling commands for (see nextCmd).
	nextFn  func() [][]byte // b.nextCmd, bound once so a batch does not allocate
	batchN  int             // commands handed out in this batch
	drained bool            // the reader needs more input
	rdErr   error           // a protocol error or a refused request
}

// A batch is a client's share of a turn: maxBatch bounds the commands run
// under one engine lock, and maxBatchBytes the replies they write, so a
// client with a deep pipeline, of cheap commands or of large replies,
// cannot hold the other clients off for long. (Redis runs all it read in
// one go, 16 KB of requests or more, however large their replies.)
const (
	maxBatch      = 1024
	maxBatchBytes = 512 << 10
)

const (
	// pauseOutputBytes: a peer whose replies waiting for its socket hold
	// this much memory (Session.OutputMemory: large values are queued by
	// reference and cost little) is paused, neither read nor run, until
	// they drain below resumeOutputBytes. Redis goes on running such a
	// client's requests until client-output-buffer-limit closes it (never,
	// by default, for normal clients), holding ever more memory; pausing
	// it costs the server nothing and loses nothing: its requests wait in
	// its socket, its replies come in order once it reads. The bound is
	// high enough for a client that writes a long pipeline (tens of MB)
	// before it reads, which would otherwise wait for the server forever.
	pauseOutputBytes  = 32 << 20
	resumeOutputBytes = pauseOutputBytes / 2
	// maxWriteBytes bounds one write, so one peer's output does not hold
	// its writer for long either.
	maxWriteBytes = 4 << 20
)

// init starts a session for a peer. info.Notify and info.Close are
// called with engine locks held: they must only signal.
func (b *batcher) init(eng *engine.Engine, info engine.ClientInfo) {
	b.rd = resp.NewReader()
	b.sess = eng.NewSession(info)
	b.rd.Authenticated = b.sess.Authenticated
	b.nextFn = b.nextCmd
}

// setLimits applies proto-max-bulk-len and client-query-buffer-limit,
// which CONFIG SET may change at any time.
func (b *batcher) setLimits(l limits) {
	b.rd.MaxBulkLen = l.maxBulkLen
	b.rd.QueryBufferLimit = l.queryBufferLimit
}

// noteQueryBuffer tells the engine the query buffer's size (CLIENT LIST
// qbuf and qbuf-free, INFO client_recent_max_input_buffer).
func (b *batcher) noteQueryBuffer() {
	b.rd.ReleaseIdle()
	b.sess.NoteQueryBuffer(b.rd.QueryBufUsed(), b.rd.Reserved())
}

// queryBufferIdleSeconds: a client idle longer has its query buffer freed
// (Redis's clientsCronResizeQueryBuffer, "idletime > 2").
const queryBufferIdleSeconds = 2

// limits are the request limits a peer's reader applies.
type limits struct {
	maxBulkLen       int64
	queryBufferLimit int
}

func currentLimits(eng *engine.Engine) limits {
	return limits{
		maxBulkLen:       eng.ConfigInt("proto-max-bulk-len"),
		queryBufferLimit: int(eng.ConfigInt("client-query-buffer-limit")),
	}
}

// outcome tells the host what to do after a batch.
type outcome uint8

const (
	// needInput: every complete command ran; write the replies and read.
	needInput outcome = iota
	// batchFull: the batch used its share (maxBatch commands or
	// maxBatchBytes of replies); write the replies, then run more.
	batchFull
	// blocked: a command waits (BLPOP, CLIENT PAUSE); write the replies
	// and run nothing more until the session is no longer Blocked.
	blocked
	// closeAfterReply: write the replies, then close (QUIT, CLIENT KILL).
	closeAfterReply
)

// runBatch runs up to maxBatch complete commands from the reader. An
// error ends the peer: see leaving for what it is owed.
func (b *batcher) runBatch() (outcome, error) {
	b.batchN, b.drained, b.rdErr = 0, false, nil
	_, st := b.sess.ExecBatchBudget(b.nextFn, maxBatchBytes)
	switch {
	case b.rdErr != nil:
		return 0, b.rdErr
	case st&engine.StatusClose != 0:
		return closeAfterReply, nil
	case st&engine.StatusBlocked != 0:
		return blocked, nil
	case !b.drained:
		return batchFull, nil
	case b.sess.ShouldClose():
		return closeAfterReply, nil
	}
	return needInput, nil
}

// nextCmd hands ExecBatch the next complete command in the read buffer,
// or nil to end the batch: input drained, batch full, or a bad request
// (kept in rdErr).
func (b *batcher) nextCmd() [][]byte {
	if b.batchN >= maxBatch {
		return nil
	}
	args, err := b.rd.Next()
	if err != nil {
		b.rdErr = err
		return nil
	}
	if args == nil {
		b.drained = true
		return nil
	}
	if isCrossProtocol(args[0]) {
		b.rdErr = errSecurity
		return nil
	}
	b.batchN++
	return args
}

// leaving says what a peer ending with err is owed: discard drops the
// replies not yet written (Redis closes such clients at once,
// CLIENT_CLOSE_ASAP); otherwise they are written, followed by tail (a
// protocol error's reply).
func leaving(err error) (tail []byte, discard bool) {
	if errors.Is(err, errSecurity) || errors.Is(err, resp.ErrQueryBufferLimit) {
		return nil, true
	}
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		return pe.Reply(), false
	}
	return nil, false
}

// logLeaving logs why a peer was closed, as Redis does. It runs before
// the session closes: the query buffer line describes the client.
func (s *Server) logLeaving(err error, b *batcher, addr string) {
	var pe *resp.ProtocolError
	switch {
	case errors.As(err, &pe):
		s.Logf('#', "Protocol error (%s) from client: %s", pe.Msg, addr)
	case errors.Is(err, resp.ErrQueryBufferLimit):
		pending := b.rd.Pending()
		s.Logf('#', "Closing client that reached max query buffer length: %s (qbuf initial bytes: %s)",
			b.sess.InfoString(), quoteRepr(pending[:min(len(pending), 64)]))
	case errors.Is(err, errSecurity):
		s.Logf('#', "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection from %s aborted.", addr)
	}
}

// quoteRepr quotes b as Redis's sdscatrepr does for log lines.
func quoteRepr(b []byte) string {
	out := make([]byte, 0, len(b)+2)
	out = append(out, '"')
	for _, c := range b {
		switch c {
		case '\\', '"':
			out = append(out, '\\', c)
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		case '\a':
			out = append(out, '\\', 'a')
		case '\b':
			out = append(out, '\\', 'b')
		default:
			if c >= ' ' && c <= '~' {
				out = append(out, c)
			} else {
				const hex = "0123456789abcdef"
				out = append(out, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return string(append(out, '"'))
}

var errSecurity = errors.New("cross protocol request")

// isCrossProtocol reports whether a command is "POST" or "Host:", which
// Redis's processCommand treats as an HTTP request smuggled to it, inline
// or multibulk alike.
func isCrossProtocol(name []byte) bool {
	return equalFoldASCII(name, "post") || equalFoldASCII(name, "host:")
}

// equalFoldASCII compares b with the lower-case word w, ignoring case,
// without converting b to a string.
func equalFoldASCII(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}
