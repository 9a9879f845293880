package image

import (
	"errors"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/rdb"
)

// readAheadMinSize is the smallest file Read decodes on a second
// goroutine.
const readAheadMinSize = 1 << 20

// Batches of records handed from the reading goroutine to the storing
// one: big enough that the hand-over costs little per key, few enough
// that the reader is not far ahead (of the progress reports, and of a
// failure found while storing).
const (
	readAheadBatch   = 256
	readAheadBatches = 4
)

// loadRecord is one record of the file, with its value built.
type loadRecord struct {
	rec   rdb.Record
	built engine.BuiltValue
	// read is the count of the file's bytes read up to the record's end.
	read int64
	// empty: an empty collection, skipped (rdb.ErrEmptyKey).
	empty bool
}

// loadBatch is a run of records; err ends the file after them.
type loadBatch struct {
	recs []loadRecord
	err  error
}

// readAhead reads the records of a file in batches, inline or on its own
// goroutine (start).
type readAhead struct {
	rd *rdb.Reader
	cr *countingReader
	ld *engine.Loader
	// With a goroutine: full batches go out, used ones come back on free,
	// and quit tells the goroutine Read returned.
	full, free chan *loadBatch
	quit, done chan struct{}
	// one is the batch inline reading reuses.
	one *loadBatch
}

// fill reads records into b until it holds max of them, the file ends
// or an error stops it. It reports whether more records follow.
func (ra *readAhead) fill(b *loadBatch, max int) bool {
	b.recs, b.err = b.recs[:0], nil
	for len(b.recs) < max {
		rec, err := ra.rd.Next()
		empty := errors.Is(err, rdb.ErrEmptyKey)
		if err != nil && !empty {
			b.err = err
			return false
		}
		lr := loadRecord{rec: *rec, read: ra.cr.n, empty: empty}
		if rec.Kind == rdb.RecordEntry && !empty {
			lr.built = ra.ld.Build(rec.Value, rec.ExpireMs)
			lr.rec.Value = rdb.Value{} // built: the decoded form may go
		}
		b.recs = append(b.recs, lr)
		if rec.Kind == rdb.RecordEOF {
			return false
		}
	}
	return true
}

// inline reads the next record on the caller's goroutine.
func (ra *readAhead) inline() *loadBatch {
	if ra.one == nil {
		ra.one = &loadBatch{}
	}
	ra.fill(ra.one, 1)
	return ra.one
}

// start runs the reading goroutine and returns what receives its
// batches.
func (ra *readAhead) start() func() *loadBatch {
	ra.full = make(chan *loadBatch, readAheadBatches)
	ra.free = make(chan *loadBatch, readAheadBatches)
	ra.quit, ra.done = make(chan struct{}), make(chan struct{})
	for range readAheadBatches {
		ra.free <- &loadBatch{recs: make([]loadRecord, 0, readAheadBatch)}
	}
	go func() {
		defer close(ra.done)
		for {
			var b *loadBatch
			select {
			case b = <-ra.free:
			case <-ra.quit:
				return
			}
			more := ra.fill(b, readAheadBatch)
			ra.full <- b // never blocks: at most readAheadBatches exist
			if !more {
				return
			}
		}
	}()
	return func() *loadBatch { return <-ra.full }
}

// recycle hands a stored batch back to the reading goroutine.
func (ra *readAhead) recycle(b *loadBatch) {
	if ra.free == nil {
		return
	}
	clear(b.recs) // drop the references to stored keys and values
	ra.free <- b
}

// stop tells the reading goroutine Read returned and waits for it (it
// ends after the batch it is reading, if any), so the reader is the
// caller's again.
func (ra *readAhead) stop() {
	close(ra.quit)
	<-ra.done
}
