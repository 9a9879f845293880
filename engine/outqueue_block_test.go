package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRawBlockKeepsOrder: a block queued without copying goes out between
// the bytes written before and after it, and counts as pending output.
func TestRawBlockKeepsOrder(t *testing.T) {
	e, _ := testEngine(t)
	s := e.NewSession(ClientInfo{Addr: "127.0.0.1:50000", Kind: "test"})
	big := []byte(strings.Repeat("b", 3*replyChunkBytes))
	s.pushAsync(func(w *Writer) {
		w.Raw([]byte("head"))
		w.RawBlock(big)
		w.Raw([]byte("tail"))
		w.RawBlock([]byte("small"))
	})
	assert.Equal(t, int64(4+len(big)+4+5), s.OutputLen())
	assert.Equal(t, "head"+string(big)+"tail"+"small", string(s.TakeOutput(nil)))
	assert.Equal(t, int64(0), s.OutputLen())
}
