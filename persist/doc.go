// Package persist is GoRedis's persistence driver: the file side of SAVE,
// BGSAVE, save points, SHUTDOWN's final save, DEBUG RELOAD and the load of
// the dump at startup. It sits beside the engine: the engine decides when
// to save and keeps the state INFO reports; this package writes the RDB
// file (package rdb) from an engine.Snapshot into a temp file, fsyncs it
// and renames it into place, and reads a dump back into an engine.Loader.
//
//	p := persist.New(eng, logf)  // becomes the engine's Persister
//	err := p.LoadAtStartup()     // "DB loaded from disk: 0.012 seconds"
//	go p.Cron(ctx)               // save points, scheduled BGSAVEs
//
// WriteRDB and ReadRDB are the format loop on their own, for callers that
// bring their own file (the AOF's RDB preamble).
//
// It uses the file system, so the wasm build does not link it.
package persist
