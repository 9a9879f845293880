package hyperloglog

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
)

// SelfTest is PFSELFTEST: it checks that dense registers keep their values
// without disturbing their neighbours, then adds ten million distinct
// elements to a dense and a sparse HyperLogLog side by side, requiring the
// sparse encoding while small, equal estimates from both encodings, and an
// error within six standard errors at every power of ten. It returns ""
// on success, otherwise Redis's TESTFAILED error text.
func SelfTest(seed uint64, sparseMax int) string {
	rng := rand.New(rand.NewPCG(seed, seed>>1|1))
	dense := make([]byte, DenseSize)
	copy(dense, "HYLL")
	regs := dense[HeaderSize:]
	var want [Registers]uint8
	for cycle := 0; cycle < 1000; cycle++ {
		for i := range want {
			want[i] = uint8(rng.Uint32() & regMax)
			denseSet(regs, i, want[i])
		}
		for i, w := range want {
			if got := denseGet(regs, i); got != w {
				return "TESTFAILED Register " + strconv.Itoa(i) + " should be " +
					strconv.Itoa(int(w)) + " but is " + strconv.Itoa(int(got))
			}
		}
	}
	clear(regs)
	sparse := New()
	relErr := 1.04 / math.Sqrt(Registers)
	checkpoint := int64(1)
	base := rng.Uint64()
	var ele [8]byte
	for j := int64(1); j <= 10_000_000; j++ {
		binary.LittleEndian.PutUint64(ele[:], uint64(j)^base)
		index, count := PatLen(ele[:])
		if count > denseGet(regs, index) {
			denseSet(regs, index, count)
		}
		var err error
		if sparse, _, err = Set(sparse, index, count, sparseMax); err != nil {
			return "TESTFAILED sparse set failed"
		}
		if j != checkpoint {
			continue
		}
		if j < int64(sparseMax/2) && IsDense(sparse) {
			return "TESTFAILED sparse encoding not used"
		}
		d, _ := Count(dense)
		sp, _ := Count(sparse)
		if d != sp {
			return "TESTFAILED dense/sparse disagree"
		}
		absErr := checkpoint - int64(d)
		maxErr := int64(math.Ceil(relErr * 6 * float64(checkpoint)))
		if j == 10 {
			maxErr = 1
		}
		if absErr < 0 {
			absErr = -absErr
		}
		if absErr > maxErr {
			return "TESTFAILED Too big error. card:" + strconv.FormatInt(checkpoint, 10) +
				" abserr:" + strconv.FormatInt(absErr, 10)
		}
		checkpoint *= 10
	}
	return ""
}
