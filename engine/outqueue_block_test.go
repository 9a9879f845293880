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

// TestDeferredArrayLength: the header of an array whose length is known
// only after its elements goes before them, whatever its width, also
// after replies already pending and with the buffer grown meanwhile.
func TestDeferredArrayLength(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 12345} {
		var w Writer
		w.Int(7)
		d := w.deferLen()
		var want strings.Builder
		for i := range n {
			w.BulkInt(int64(i))
			want.WriteString("$" + itoa(int64(len(itoa(int64(i))))) + "\r\n" + itoa(int64(i)) + "\r\n")
		}
		w.setDeferredArray(d, n)
		w.Simple("after")
		assert.Equal(t, ":7\r\n*"+itoa(int64(n))+"\r\n"+want.String()+"+after\r\n", string(w.buf))
	}
}
