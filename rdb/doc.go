// Package rdb is Redis's RDB format, the file SAVE writes and the value
// encoding DUMP and RESTORE carry, as Redis 7.0 (RDB version 10) writes it
// and as Redis 2.6 and later (RDB versions 1-10) wrote it. It knows bytes
// only: lengths, strings (integer-encoded and LZF-compressed), doubles, the
// packed containers (listpack, ziplist, intset, zipmap), the file's framing
// (header, aux fields, SELECTDB, RESIZEDB, expiry, LRU/LFU hints, EOF and
// the CRC-64 trailer); it imports nothing of the engine.
//
// Writing a file:
//
//	w := rdb.NewWriter(f, rdb.WriterOptions{Compress: true, Checksum: true})
//	w.Header()
//	w.AuxFields(rdb.AuxInfo{RedisVersion: "7.0.15", CTime: now, UsedMem: mem})
//	w.SelectDB(0)
//	w.ResizeDB(keys, expires)
//	w.Entry(rdb.Entry{Key: "k", ExpireMs: -1, Value: encodedValue})
//	w.End() // EOF opcode and checksum; then flush and fsync the file
//
// where encodedValue is a type byte and its payload, built with the Append*
// helpers (AppendString, AppendLen, a ListpackBuilder, IntsetBytes) or
// AppendValue. Reading one:
//
//	r := rdb.NewReader(bufio.NewReader(f), size)
//	for {
//		rec, err := r.Next()
//		// rec.Kind: RecordAux, RecordSelectDB, RecordResizeDB, RecordEntry, RecordEOF
//	}
//
// Every length read is checked against what the input can still hold before
// anything is allocated for it, so a hostile file fails cleanly.
package rdb
