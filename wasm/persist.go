//go:build js && wasm

package main

// The page's persistence. The engine saves as Redis does (SAVE, BGSAVE,
// save points, FLUSHALL, SHUTDOWN, DEBUG RELOAD) through an
// engine.Persister; here its "dump file" is a function of the page
// (playground/store.js keeps the image in IndexedDB):
//
//	goredis.persistTo(save, "1 1")  // save(Uint8Array) -> Promise; save points
//	goredis.loadRDB(bytes)          // replace the keyspace with a dump.rdb
//	goredis.dumpRDB()               // the keyspace as a dump.rdb
//	goredis.flush()                 // SAVE now if anything changed since the last save

import (
	"bytes"
	"errors"
	"syscall/js"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/persist/image"
)

// pageStore is the engine's Persister in the page.
type pageStore struct {
	h    *host
	save js.Value // save(Uint8Array) -> Promise
	// last is the image saved last, which DEBUG RELOAD loads back (the
	// page's storage is asynchronous, and Load must answer at once).
	last []byte
}

var _ engine.Persister = (*pageStore)(nil)

// writeImage encodes snap as Redis 7.0 writes dump.rdb, with the save's
// settings (rdbcompression, rdbchecksum); it closes snap.
func writeImage(snap *engine.Snapshot) ([]byte, error) {
	defer snap.Close()
	st := snap.Settings()
	var buf bytes.Buffer
	err := image.Write(&buf, snap, image.WriteOptions{Compression: st.Compression, Checksum: st.Checksum, RedisVersion: st.RedisVersion})
	return buf.Bytes(), err
}

// Save is SAVE (and FLUSHALL's, SHUTDOWN's save): the image is made now,
// in the command; the page stores it after the reply, since a command
// cannot wait for the browser's storage. A storage failure shows in the
// page.
func (p *pageStore) Save(snap *engine.Snapshot) error {
	img, err := writeImage(snap)
	if err != nil {
		return err
	}
	p.last = img
	p.save.Invoke(toUint8Array(img))
	return nil
}

// BackgroundSave is BGSAVE: the image is written from the snapshot by a
// goroutine, and the save ends when the page has stored it, so INFO
// persistence (rdb_last_bgsave_status) and MISCONF say what the browser's
// storage did.
func (p *pageStore) BackgroundSave(snap *engine.Snapshot) {
	go func() {
		img, err := writeImage(snap)
		if err == nil {
			p.last = img
			err = await(p.save.Invoke(toUint8Array(img)))
		}
		p.h.eng.BackgroundSaveDone(snap, err)
	}()
	// The goroutine runs once Go has control: a direct call must poke it.
	p.h.woke.Store(true)
}

// Load is DEBUG RELOAD's load: the image saved last.
func (p *pageStore) Load(ld *engine.Loader) error {
	if p.last == nil {
		return errors.New("no dump saved in this page yet")
	}
	_, err := image.Read(bytes.NewReader(p.last), int64(len(p.last)), ld, image.ReadOptions{Checksum: ld.Settings().Checksum})
	return err
}

// await waits for a JS Promise from a goroutine (never from a direct
// call or a js.FuncOf callback, which would deadlock).
func await(promise js.Value) error {
	done := make(chan error, 1)
	var then, catch js.Func
	then = js.FuncOf(func(js.Value, []js.Value) any {
		done <- nil
		return nil
	})
	catch = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "the page could not store the dump"
		if len(args) > 0 && args[0].Type() == js.TypeObject && args[0].Get("message").Type() == js.TypeString {
			msg = args[0].Get("message").String()
		} else if len(args) > 0 {
			msg = args[0].String()
		}
		done <- errors.New(msg)
		return nil
	})
	defer then.Release()
	defer catch.Release()
	if promise.Type() != js.TypeObject || promise.Get("then").Type() != js.TypeFunction {
		return nil
	}
	promise.Call("then", then, catch)
	return <-done
}

// persistTo(save, savePoints) gives the engine the page's storage: SAVE
// and BGSAVE write there, and the save points ("1 1": at most every
// second or two after a write) save on their own, as Redis's do.
func (h *host) persistTo(args []js.Value) any {
	if len(args) != 2 || args[0].Type() != js.TypeFunction || args[1].Type() != js.TypeString {
		return jsError("persistTo(save, savePoints)")
	}
	h.eng.SetPersister(&pageStore{h: h, save: args[0]})
	if out := h.internal("CONFIG", "SET", "save", args[1].String()); out[0] == '-' {
		return jsError(string(bytes.TrimSpace(out[1:])))
	}
	return nil
}

// flush() saves now when anything changed since the last save (the page
// calls it as it is hidden or closed); it returns whether it saved.
func (h *host) flush([]js.Value) any {
	if h.eng.Dirty() == 0 {
		return false
	}
	return string(h.internal("SAVE")) == "+OK\r\n"
}

// internal runs one command on a session of the host's own and returns
// its reply.
func (h *host) internal(args ...string) []byte {
	s := h.eng.NewSession(engine.ClientInfo{})
	defer s.Close()
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	s.Exec(b)
	return s.TakeOutput(nil)
}

// dumpRDB returns the keyspace as a dump.rdb image (Uint8Array) that
// redis-server loads.
func (h *host) dumpRDB([]js.Value) any {
	img, err := writeImage(h.eng.BeginSnapshot())
	if err != nil {
		return jsError(err.Error())
	}
	return toUint8Array(img)
}

// loadRDB(Uint8Array) replaces the keyspace with an RDB image (one
// redis-server or dumpRDB wrote) and returns {keys, expired, version,
// redisVersion}. A file that does not load whole changes nothing: it is
// read into a scratch engine first, and the Error says why, in Redis's
// words ("Wrong signature trying to load DB from file").
func (h *host) loadRDB(args []js.Value) any {
	if len(args) != 1 || !args[0].InstanceOf(jsUint8Array) {
		return jsError("loadRDB takes a Uint8Array")
	}
	b := make([]byte, args[0].Get("length").Int())
	js.CopyBytesToGo(b, args[0])
	info, err := readImage(engine.New(engine.Options{Databases: int(h.eng.ConfigInt("databases"))}), b)
	if err != nil {
		return jsError(err.Error())
	}
	if bytes.Contains(h.internal("INFO", "keyspace"), []byte("\r\ndb")) {
		// (not at startup: an empty engine has no change to count)
		h.internal("FLUSHALL")
	}
	// The dump's function libraries replace the page's, as after a
	// restart (FLUSHALL keeps them).
	if !bytes.Equal(h.internal("FUNCTION", "LIST"), []byte("*0\r\n")) {
		h.internal("FUNCTION", "FLUSH")
	}
	if _, err := readImage(h.eng, b); err != nil {
		return jsError(err.Error()) // cannot happen: the same bytes loaded above
	}
	// A load is no change to save (Redis's loading leaves dirty at 0),
	// but after a FLUSHALL the page's storage must hold this keyspace,
	// not the emptied one FLUSHALL saved.
	if h.eng.Dirty() > 0 && h.eng.HasSavePoints() {
		h.internal("SAVE")
	}
	return info
}

// readImage loads b into eng's main keyspace.
func readImage(eng *engine.Engine, b []byte) (map[string]any, error) {
	version := ""
	ld := eng.BeginLoad(int64(len(b)))
	stats, err := image.Read(bytes.NewReader(b), int64(len(b)), ld, image.ReadOptions{
		Checksum: true,
		Log: func(_ byte, format string, args ...any) {
			if format == "Loading RDB produced by version %s" && len(args) == 1 {
				version, _ = args[0].(string)
			}
		},
	})
	ld.End()
	if err != nil {
		return nil, err
	}
	rdbVersion := 0
	if len(b) >= 9 {
		for _, c := range b[5:9] {
			rdbVersion = rdbVersion*10 + int(c-'0')
		}
	}
	return map[string]any{"keys": stats.Loaded, "expired": stats.Expired, "version": rdbVersion, "redisVersion": version}, nil
}
