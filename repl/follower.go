package repl

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/resp"
	"github.com/goredis-dev/goredis/persist"
	"github.com/goredis-dev/goredis/rdb"
)

// Follower is the replica side of a replication link (engine.ReplicaLink):
// it connects to the master, does Redis's handshake (PING, AUTH,
// REPLCONF, PSYNC), loads the master's payload after a full
// synchronization, then applies the stream through a session flagged as
// the master's, acknowledging its offset every second.
type Follower struct {
	eng *engine.Engine
	// ListenPort is announced to the master (REPLCONF listening-port).
	ListenPort int
	// TLS, when set, says how to reach the master: a client
	// configuration while tls-replication is yes (nil: plain TCP), and
	// the tls-port to announce instead of ListenPort (0: ListenPort).
	TLS  func() (cfg *tls.Config, tlsPort int)
	logf func(level byte, format string, args ...any)

	// cronPhase is when the follower was made: reconnections happen on
	// the whole seconds since then, the ticks of Redis's replicationCron.
	cronPhase time.Time

	mu   sync.Mutex
	stop chan struct{} // closed to end the current link
}

var _ engine.ReplicaLink = (*Follower)(nil)

// NewFollower returns a Follower for eng; logf receives log lines with
// Redis's level marks.
func NewFollower(eng *engine.Engine, listenPort int, logf func(level byte, format string, args ...any)) *Follower {
	if logf == nil {
		logf = func(byte, string, ...any) {}
	}
	return &Follower{eng: eng, ListenPort: listenPort, logf: logf, cronPhase: time.Now()}
}

// Follow starts replicating from host:port (ending the link before).
func (f *Follower) Follow(host string, port int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stop != nil {
		close(f.stop)
	}
	stop := make(chan struct{})
	f.stop = stop
	go f.run(net.JoinHostPort(host, strconv.Itoa(port)), stop)
}

// Stop ends the link.
func (f *Follower) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stop != nil {
		close(f.stop)
		f.stop = nil
	}
}

// linkRetry is the period of Redis's replicationCron, which connects a
// replica whose link is down.
const linkRetry = time.Second

// untilRetry is the wait for the next replicationCron tick: a link lost
// reconnects within a second, half a second on average, as in Redis (a
// fixed second after each failure doubled the time of tests that break
// the link a hundred times).
func (f *Follower) untilRetry(now time.Time) time.Duration {
	return linkRetry - now.Sub(f.cronPhase)%linkRetry
}

func (f *Follower) run(addr string, stop chan struct{}) {
	for {
		err := f.link(addr, stop)
		select {
		case <-stop:
			return
		default:
		}
		f.eng.MasterLinkState("connect")
		if err != nil {
			f.logf('#', "%v", err)
		}
		select {
		case <-stop:
			return
		case <-time.After(f.untilRetry(time.Now())):
		}
	}
}

// link runs one connection to the master until it fails or stop closes.
func (f *Follower) link(addr string, stop chan struct{}) error {
	f.eng.MasterLinkState("connecting")
	f.logf('*', "Connecting to MASTER %s", addr)
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return fmt.Errorf("Error condition on socket for SYNC: %v", err)
	}
	listenPort := f.ListenPort
	if f.TLS != nil {
		if cfg, tlsPort := f.TLS(); cfg != nil {
			tc := tls.Client(conn, cfg)
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			if err := tc.Handshake(); err != nil {
				_ = conn.Close()
				return fmt.Errorf("Error condition on socket for SYNC: %v", err)
			}
			conn = tc
			if tlsPort != 0 {
				listenPort = tlsPort
			}
		}
	}
	defer conn.Close()
	go func() {
		<-stop
		_ = conn.Close()
	}()
	f.logf('*', "MASTER <-> REPLICA sync started")
	f.eng.MasterLinkState("handshake")
	timeout := time.Duration(f.eng.ConfigInt("repl-timeout")) * time.Second
	br := bufio.NewReaderSize(replInputCounter{conn, f.eng}, 1<<16)
	ask := func(args ...string) (string, error) {
		_ = conn.SetDeadline(time.Now().Add(timeout))
		if _, err := conn.Write(encodeCommand(args)); err != nil {
			return "", err
		}
		line, err := readLine(br)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return "", errors.New("Timeout connecting to the MASTER...")
		}
		return line, err
	}
	if reply, err := ask("PING"); err != nil {
		return err
	} else if strings.HasPrefix(reply, "-") && !strings.HasPrefix(reply, "-NOAUTH") && !strings.HasPrefix(reply, "-NOPERM") && !strings.HasPrefix(reply, "-ERR operation not permitted") {
		return fmt.Errorf("Error reply to PING from master: '%s'", reply)
	}
	f.logf('*', "Master replied to PING, replication can continue...")
	if pass := f.eng.Config("masterauth"); pass != "" {
		args := []string{"AUTH", pass}
		if user := f.eng.Config("masteruser"); user != "" {
			args = []string{"AUTH", user, pass}
		}
		if reply, err := ask(args...); err != nil {
			return err
		} else if strings.HasPrefix(reply, "-") {
			return fmt.Errorf("Unable to AUTH to MASTER: %s", reply)
		}
	}
	if _, err := ask("REPLCONF", "listening-port", strconv.Itoa(listenPort)); err != nil {
		return err
	}
	if _, err := ask("REPLCONF", "capa", "eof", "capa", "psync2"); err != nil {
		return err
	}
	replid, offset := f.eng.MasterPosition()
	if replid != "?" {
		f.logf('*', "Trying a partial resynchronization (request %s:%d).", replid, offset+1)
	} else {
		f.logf('*', "Partial resynchronization not possible (no cached master)")
	}
	psync := []string{"PSYNC", replid, strconv.FormatInt(offset+1, 10)}
	failover := f.eng.FailoverInProgress()
	if failover {
		// This server is handing its master role over (FAILOVER): the
		// new master takes it with this PSYNC.
		psync = append(psync, "FAILOVER")
	}
	reply, err := ask(psync...)
	for err == nil && reply == "" {
		// A master waiting to start a diskless transfer keeps the link
		// alive with newlines before it answers.
		_ = conn.SetDeadline(time.Now().Add(timeout))
		reply, err = readLine(br)
	}
	if err != nil {
		if failover {
			f.eng.FailoverPsyncResult(false)
		}
		return err
	}
	if failover {
		f.eng.FailoverPsyncResult(strings.HasPrefix(reply, "+FULLRESYNC") || strings.HasPrefix(reply, "+CONTINUE"))
	}
	switch {
	case strings.HasPrefix(reply, "+FULLRESYNC "):
		fields := strings.Fields(reply)
		if len(fields) != 3 {
			return fmt.Errorf("Bad FULLRESYNC reply: %s", reply)
		}
		off, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return fmt.Errorf("Bad FULLRESYNC reply: %s", reply)
		}
		f.logf('*', "Full resync from master: %s:%d", fields[1], off)
		streamDB, err := f.fullSync(conn, br, timeout, fields[1])
		if err != nil {
			return err
		}
		replid, offset = fields[1], off
		f.eng.MasterFullSynced(replid, offset)
		return f.apply(conn, br, offset, timeout, streamDB)
	case strings.HasPrefix(reply, "+CONTINUE"):
		if fields := strings.Fields(reply); len(fields) == 2 {
			replid = fields[1]
		}
		f.logf('*', "Successful partial resynchronization with master.")
	default:
		return fmt.Errorf("Unexpected reply to PSYNC from master: %s", reply)
	}
	f.eng.MasterSynced(replid, offset)
	f.logf('*', "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
	return f.apply(conn, br, offset, timeout, -1)
}

// fullSync loads the master's payload: "$<length>\r\n" then the RDB, or
// (diskless, capa eof) "$EOF:<40 chars>\r\n", the RDB and the 40 chars
// again; newlines before it are the master's keepalives. As Redis's
// repl-diskless-load says, the payload is saved to a file in dir and
// loaded from there (disabled; on-empty-db with keys), loaded straight
// from the socket (on-empty-db with no keys), or loaded from the socket
// into a temporary keyspace that replaces the old data once the payload is
// whole and checked (swapdb; the old data is served meanwhile when the
// master continues this server's history); only the direct load flushes
// the old data before the payload has fully arrived.
// It returns the database the master's stream has selected (-1: the
// payload does not say).
func (f *Follower) fullSync(conn net.Conn, br *bufio.Reader, timeout time.Duration, masterReplID string) (int, error) {
	f.eng.MasterLinkState("sync")
	var head string
	for {
		_ = conn.SetDeadline(time.Now().Add(timeout))
		line, err := readLine(br)
		if err != nil {
			return -1, err
		}
		if line != "" {
			head = line
			break
		}
	}
	if strings.HasPrefix(head, "-") {
		return -1, fmt.Errorf("MASTER aborted replication with an error: %s", head[1:])
	}
	var (
		mark string
		size int64 = -1
	)
	if rest, ok := strings.CutPrefix(head, "$EOF:"); ok && len(rest) == eofMarkLen {
		mark = rest
	} else {
		n, err := strconv.ParseInt(strings.TrimPrefix(head, "$"), 10, 64)
		if !strings.HasPrefix(head, "$") || err != nil || n < 0 {
			return -1, fmt.Errorf("Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are you sure the host and port are right?", head)
		}
		size = n
	}
	mode := f.eng.Config("repl-diskless-load")
	direct := mode == "on-empty-db" && f.eng.KeyCount() == 0
	var swap *engine.Loader
	if mode == "swapdb" {
		swap = f.eng.BeginSwapLoad(max(size, 0), masterReplID)
	}
	where := "to disk"
	if direct || swap != nil {
		where = "to parser"
	}
	if mark != "" {
		f.logf('*', "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF %s", where)
	} else {
		f.logf('*', "MASTER <-> REPLICA sync: receiving %d bytes from master %s", size, where)
	}
	// The transfer may take a while: repl-timeout bounds each read.
	_ = conn.SetDeadline(time.Time{})
	f.eng.MasterTransfer(size, 0)
	rd := &deadlineReader{conn: conn, r: br, timeout: timeout, progress: func(n int64) { f.eng.MasterTransfer(size, n) }}
	if direct || swap != nil {
		// Loaded straight from the socket, as it arrives.
		var src io.Reader = rd
		if size >= 0 {
			src = io.LimitReader(rd, size)
		}
		// One buffered reader for the RDB and the mark after it: the RDB
		// reader stops exactly at its end, the buffer may hold more.
		bsrc := bufio.NewReaderSize(src, 1<<16)
		var (
			streamDB int
			err      error
		)
		if swap != nil {
			f.logf('*', "MASTER <-> REPLICA sync: Loading DB in memory")
			var stats persist.LoadStats
			stats, err = persist.ReadRDB(bsrc, size, swap, persist.ReadOptions{Log: f.logf, Checksum: true})
			streamDB = stats.ReplStreamDB
			if err != nil {
				f.logShortRead(err, rd.read)
				err = fmt.Errorf("Failed trying to load the MASTER synchronization DB from socket: %v", err)
			} else if mark != "" {
				err = readEOFMark(bsrc, mark)
			}
			// The old data stays until the payload is whole and checked.
			f.eng.EndSwapLoad(swap, err)
		} else {
			streamDB, err = f.load(bsrc, size, rd, false)
			if err == nil && mark != "" {
				if err = readEOFMark(bsrc, mark); err != nil {
					f.eng.DiscardMasterLoad()
				}
			}
		}
		if err != nil {
			return -1, err
		}
		f.logf('*', "MASTER <-> REPLICA sync: Finished with success")
		return streamDB, nil
	}
	dir := f.eng.Config("dir")
	tmp := filepath.Join(dir, fmt.Sprintf("temp-%d.%d.rdb", time.Now().Unix(), os.Getpid()))
	file, err := os.Create(tmp)
	if err != nil {
		return -1, fmt.Errorf("Opening the temp file needed for MASTER <-> REPLICA synchronization: %v", err)
	}
	defer os.Remove(tmp)
	if err := receivePayload(file, rd, size, mark); err != nil {
		file.Close()
		return -1, err
	}
	if err := file.Sync(); err != nil {
		file.Close()
		return -1, fmt.Errorf("Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: %v", err)
	}
	n, _ := file.Seek(0, io.SeekCurrent)
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		file.Close()
		return -1, err
	}
	streamDB, err := f.load(bufio.NewReaderSize(file, 1<<16), n, nil, true)
	file.Close()
	if err != nil {
		return -1, err
	}
	// As Redis, the received payload becomes the dump file.
	if err := os.Rename(tmp, filepath.Join(dir, f.eng.Config("dbfilename"))); err != nil {
		f.logf('#', "Failed trying to rename the temp DB into %s in MASTER <-> REPLICA synchronization: %v", f.eng.Config("dbfilename"), err)
	}
	f.logf('*', "MASTER <-> REPLICA sync: Finished with success")
	return streamDB, nil
}

// logShortRead logs a payload that ended early on the socket as Redis's
// rdbLoadRio and rdbReportError do for a diskless load: not a corrupt
// file but a lost connection, after which the replica goes on (read is
// what came from the socket, Redis's loading_loaded_bytes).
func (f *Follower) logShortRead(err error, read int64) {
	var re *rdb.Error
	if errors.As(err, &re) && re != rdb.ErrUnexpectedEOF {
		return // a corrupt payload: the loader said why
	}
	f.logf('#', "Short read or OOM loading DB. Unrecoverable error, aborting now.")
	f.logf('#', "Internal error in RDB reading offset %d, function at rdb.c:3240 -> Unexpected EOF reading RDB file. "+
		"Failure loading rdb format from socket, assuming connection error, resuming operation.", read)
}

// readEOFMark reads the mark that ends a diskless payload.
func readEOFMark(r io.Reader, mark string) error {
	got := make([]byte, eofMarkLen)
	if _, err := io.ReadFull(r, got); err != nil || string(got) != mark {
		return errors.New("Replication stream EOF marker is broken")
	}
	return nil
}

// eofMarkLen is the length of a diskless payload's EOF mark.
const eofMarkLen = 40

// load empties the databases and loads an RDB of size bytes (-1 unknown),
// from the socket (sock, for a short read's log lines) or a file (nil). A
// payload on disk (held) loads with the engine locked throughout but for a
// break every loading-process-events-interval-bytes, as Redis loads it;
// one read from the socket (diskless load) leaves the engine unlocked
// between keys, since the transfer reports its progress under the lock.
func (f *Follower) load(r *bufio.Reader, size int64, sock *deadlineReader, held bool) (int, error) {
	f.eng.AttachToNewMaster()
	f.logf('*', "MASTER <-> REPLICA sync: Flushing old data")
	var ld *engine.Loader
	if held {
		ld = f.eng.BeginMasterLoadHeld(max(size, 0))
	} else {
		ld = f.eng.BeginMasterLoad(max(size, 0))
	}
	f.logf('*', "MASTER <-> REPLICA sync: Loading DB in memory")
	st := ld.Settings()
	stats, err := persist.ReadRDB(r, size, ld, persist.ReadOptions{Log: f.logf, Checksum: true,
		KeyLoadDelayUs: st.KeyLoadDelayUs, ProgressEvery: st.EventsIntervalBytes, Total: size,
		ReadAhead: sock == nil}) // a file; a socket may block the reader
	ld.End()
	if err != nil {
		if sock != nil {
			f.logShortRead(err, sock.read)
		}
		f.eng.DiscardMasterLoad()
		return -1, fmt.Errorf("Failed trying to load the MASTER synchronization DB from socket: %v", err)
	}
	return stats.ReplStreamDB, nil
}

// receivePayload copies the payload to dst: size bytes, or (mark set)
// everything up to the EOF mark, which ends the last read as Redis's
// master sends nothing after it before the replica's first ACK.
func receivePayload(dst io.Writer, r io.Reader, size int64, mark string) error {
	if mark == "" {
		_, err := io.CopyN(dst, r, size)
		return err
	}
	buf := make([]byte, 64<<10)
	var held []byte
	for {
		n, err := r.Read(buf)
		if n > 0 {
			held = append(held, buf[:n]...)
			if bytes.HasSuffix(held, []byte(mark)) {
				_, werr := dst.Write(held[:len(held)-eofMarkLen])
				return werr
			}
			if len(held) > eofMarkLen {
				if _, werr := dst.Write(held[:len(held)-eofMarkLen]); werr != nil {
					return werr
				}
				held = append(held[:0], held[len(held)-eofMarkLen:]...)
			}
		}
		if err != nil {
			return err
		}
	}
}

// deadlineReader renews the connection's read deadline before each read:
// a master silent for repl-timeout during the transfer is given up.
// It reports the bytes read so far to progress (INFO's master_sync_*).
type deadlineReader struct {
	conn     net.Conn
	r        io.Reader
	timeout  time.Duration
	read     int64
	progress func(read int64)
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	_ = d.conn.SetReadDeadline(time.Now().Add(d.timeout))
	n, err := d.r.Read(p)
	d.read += int64(n)
	d.progress(d.read)
	return n, err
}

// apply runs the master's stream through the master's session, counting
// the offset, answering REPLCONF GETACK, and acknowledging every second.
// streamDB is the database the stream starts in (-1: 0).
func (f *Follower) apply(conn net.Conn, br *bufio.Reader, offset int64, timeout time.Duration, streamDB int) error {
	// CLIENT KILL of the master session (or TYPE master) drops the link.
	s := f.eng.NewMasterSession(engine.ClientInfo{Addr: conn.RemoteAddr().String(), LAddr: conn.LocalAddr().String(), Kind: "master",
		Close: func() { _ = conn.Close() }})
	defer s.Close()
	s.SelectStreamDB(streamDB)
	f.eng.MasterLinkState("connected")
	var wmu sync.Mutex
	ack := func(off int64) error {
		wmu.Lock()
		defer wmu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(timeout))
		_, err := conn.Write(encodeCommand([]string{"REPLCONF", "ACK", strconv.FormatInt(off, 10)}))
		return err
	}
	var applied sync.Mutex // guards offset between the reader and the acks
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				applied.Lock()
				off := offset
				applied.Unlock()
				if ack(off) != nil {
					return
				}
			}
		}
	}()
	if err := ack(offset); err != nil {
		return err
	}
	// killed ends the link after CLIENT KILL closed the master's session:
	// the position is what was applied, and the next PSYNC asks for the
	// rest (Redis caches the freed master with its applied offset).
	killed := func() error {
		applied.Lock()
		off := offset
		applied.Unlock()
		f.eng.MasterSynced("", off)
		return nil
	}
	rd := resp.NewReader()
	for {
		_ = conn.SetReadDeadline(time.Now().Add(timeout))
		sp := rd.Space()
		n, err := br.Read(sp)
		rd.Advance(n)
		if err != nil {
			if s.ShouldClose() {
				return killed() // CLIENT KILL closed the connection
			}
			if errors.Is(err, io.EOF) {
				return errors.New("MASTER closed the connection")
			}
			return err
		}
		moved := false
		for {
			before := rd.Buffered()
			raw := rd.Pending()
			args, err := rd.Next()
			if err != nil {
				return fmt.Errorf("Protocol error from MASTER: %v", err)
			}
			consumed := int64(before - rd.Buffered())
			if args == nil {
				if consumed == 0 {
					break // the rest of a command is still to come
				}
				// Newlines between commands count in the offset and go
				// to this server's replicas with the stream.
				if s.ExecMaster(nil, raw[:consumed])&engine.StatusClose != 0 {
					return killed()
				}
				applied.Lock()
				offset += consumed
				applied.Unlock()
				continue
			}
			if len(args) >= 2 && strings.EqualFold(string(args[0]), "replconf") && strings.EqualFold(string(args[1]), "getack") {
				applied.Lock()
				off := offset
				applied.Unlock()
				if err := ack(off); err != nil {
					return err
				}
				if s.ExecMaster(nil, raw[:consumed])&engine.StatusClose != 0 {
					return killed()
				}
			} else {
				st := s.ExecMaster(args, raw[:consumed])
				s.TakeOutput(nil)
				if st&engine.StatusClose != 0 {
					return killed()
				}
			}
			applied.Lock()
			offset += consumed
			applied.Unlock()
			moved = true
		}
		if moved || n > 0 {
			applied.Lock()
			off := offset
			applied.Unlock()
			f.eng.MasterSynced("", off)
		}
	}
}

// readLine reads one CRLF-terminated line without its terminator.
func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// encodeCommand is a command as a RESP array of bulk strings.
func encodeCommand(args []string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// replInputCounter counts what the replica reads from its master in
// INFO's total_net_repl_input_bytes.
type replInputCounter struct {
	r   io.Reader
	eng *engine.Engine
}

func (c replInputCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.eng.CountReplInput(n)
	}
	return n, err
}
