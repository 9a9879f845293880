package hyperloglog

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Register index and run length of elements as Redis 7.0.15 computes them
// (PFADD of one element into an empty key, then PFDEBUG DECODE): a
// known-answer test of MurmurHash64A with Redis's seed, every tail length.
func TestPatLenLikeRedis(t *testing.T) {
	for _, c := range []struct {
		ele   string
		index int
		count uint8
	}{
		{"", 5938, 2}, {"a", 12711, 2}, {"hello", 9216, 1}, {"12345678", 10579, 3},
		{"123456789", 9293, 2}, {"foobar", 1910, 4}, {"the quick brown fox", 15795, 1},
	} {
		index, count := PatLen([]byte(c.ele))
		assert.Equal(t, c.index, index, c.ele)
		assert.Equal(t, c.count, count, c.ele)
		b, changed, err := Add(New(), []byte(c.ele), 3000)
		require.NoError(t, err)
		assert.True(t, changed)
		want := "Z:" + strconv.Itoa(c.index) + " v:" + strconv.Itoa(int(c.count)) + ",1 Z:" + strconv.Itoa(Registers-c.index-1)
		assert.Equal(t, want, Decode(b))
	}
}

func TestNewIsRedisEmptyHLL(t *testing.T) {
	b := New()
	assert.Equal(t, "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff", string(b))
	assert.True(t, Valid(b))
	n, err := Count(b)
	require.NoError(t, err)
	assert.Equal(t, uint64(0), n)
}

func TestValid(t *testing.T) {
	assert.False(t, Valid([]byte("HYLL")))
	assert.False(t, Valid([]byte("HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")))
	assert.False(t, Valid([]byte("HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")))
	assert.False(t, Valid(make([]byte, DenseSize))) // no magic
	d := make([]byte, DenseSize)
	copy(d, "HYLL")
	assert.True(t, Valid(d))
	assert.False(t, Valid(d[:DenseSize-1]))
}

// Sparse and dense encodings of the same additions hold the same
// registers and give the same estimate, across the promotion.
func TestSparseMatchesDense(t *testing.T) {
	sparse := New()
	dense, err := ToDense(New())
	require.NoError(t, err)
	for i := 0; i < 5000; i++ {
		ele := []byte(strconv.Itoa(i))
		var err error
		sparse, _, err = Add(sparse, ele, 3000)
		require.NoError(t, err)
		dense, _, err = Add(dense, ele, 3000)
		require.NoError(t, err)
		if i%500 == 0 || i == 4999 {
			a, err1 := Count(sparse)
			b, err2 := Count(dense)
			require.NoError(t, err1)
			require.NoError(t, err2)
			require.Equal(t, b, a, "after %d", i)
		}
	}
	assert.True(t, IsDense(sparse), "promoted past hll-sparse-max-bytes")
	assert.Equal(t, DenseRegisters(dense), DenseRegisters(sparse))
}

func TestCorruptSparseDetected(t *testing.T) {
	b := New()
	b = append(b, 0x00) // one register too many
	_, err := Count(b)
	assert.ErrorIs(t, err, ErrCorrupt)
	_, err = ToDense(b)
	assert.ErrorIs(t, err, ErrCorrupt)
	var regs [Registers]uint8
	assert.ErrorIs(t, Merge(&regs, b), ErrCorrupt)
	short := appendXZero(New()[:HeaderSize], 100)
	_, _, err = Add(short, []byte("a"), 3000) // index 12711 is past the opcodes
	assert.ErrorIs(t, err, ErrCorrupt)
}

// FuzzDecode feeds arbitrary values (with a valid header, so the commands
// would reach the decoder) to every function that reads a HyperLogLog:
// none may panic or read out of bounds, and what succeeds must agree.
func FuzzDecode(f *testing.F) {
	f.Add(New()[HeaderSize:], []byte("a"))
	f.Add([]byte{0x7f, 0xff}, []byte("b"))
	f.Add([]byte{0x40, 0x00, 0x80, 0x7f, 0xfd}, []byte("c"))
	f.Add([]byte{0x3f, 0xbf, 0xff, 0x7f}, []byte(""))
	f.Add([]byte{0x7f}, []byte("x"))
	f.Fuzz(func(t *testing.T, body, ele []byte) {
		for _, enc := range []byte{0, 1} {
			b := append([]byte("HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), body...)
			b[4] = enc
			if enc == 0 {
				// Dense values are only valid at their exact size.
				b = append(b, make([]byte, DenseSize)...)[:DenseSize]
			}
			if !Valid(b) {
				t.Fatalf("constructed value not valid")
			}
			orig := bytes.Clone(b)
			n1, errCount := Count(b)
			var regs [Registers]uint8
			errMerge := Merge(&regs, b)
			d, errDense := ToDense(bytes.Clone(b))
			_ = Decode(b)
			if errDense == nil {
				n2, err := Count(d)
				if err != nil || errCount != nil || n1 != n2 {
					t.Fatalf("dense %d/%v sparse %d/%v", n2, err, n1, errCount)
				}
				if errMerge != nil || CountRegisters(&regs) != n1 {
					t.Fatalf("merge %v", errMerge)
				}
			}
			require.Equal(t, orig, b, "readers must not write")
			nb, _, err := Add(b, ele, 200)
			if err == nil {
				if !Valid(nb) {
					t.Fatalf("add made an invalid value")
				}
				_, _ = Count(nb)
			}
		}
	})
}
