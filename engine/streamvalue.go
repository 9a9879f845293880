package engine

import "github.com/goredis-dev/goredis/engine/stream"

// streamValue is a stream stored in the keyspace: the data structure of
// package stream plus what every value type carries.
type streamValue struct {
	*stream.Stream
	snapMark
}

func newStreamValue() *streamValue { return &streamValue{Stream: stream.New()} }

func (v *streamValue) typeName() string { return "stream" }

// encoding is always "stream" (Redis's OBJ_ENCODING_STREAM).
func (v *streamValue) encoding() string { return "stream" }

func (v *streamValue) copyObject() object { return &streamValue{Stream: v.Dup()} }

// approxBytes estimates the memory the stream holds (MEMORY USAGE,
// sandbox limits).
func (v *streamValue) approxBytes() int64 { return v.Bytes() }
