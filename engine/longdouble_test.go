package engine

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigLD is the reference: math/big with a 64-bit mantissa rounds exactly
// as the x87 long double does while the values stay in its normal range.
func bigLD(s string) (*big.Float, bool) {
	// strtold's grammar: no digit separators, binary exponents for hex only.
	base := 10
	if b := strings.TrimLeft(s, "+-"); len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		base = 0
	} else if strings.ContainsAny(s, "pP") {
		return nil, false
	}
	if strings.ContainsRune(s, '_') || strings.Count(s, "+")+strings.Count(s, "-") > 2 {
		return nil, false
	}
	f, _, err := big.ParseFloat(s, base, 64, big.ToNearestEven)
	return f, err == nil
}

// inNormalRange reports whether f is zero or a normal long double.
func inNormalRange(f *big.Float) bool {
	if f.Sign() == 0 {
		return true
	}
	e := f.MantExp(nil)
	return e > -16381 && e < 16384
}

func checkAgainstBig(t *testing.T, a, b string) {
	t.Helper()
	ba, okA := bigLD(a)
	bb, okB := bigLD(b)
	if !okA || !okB || ba.IsInf() || bb.IsInf() || !inNormalRange(ba) || !inNormalRange(bb) {
		return
	}
	sum := new(big.Float).SetPrec(64).Add(ba, bb)
	if !inNormalRange(sum) {
		return
	}
	want := trimZeros(sum.Text('f', 17))
	if want == "-0" {
		want = "0"
	}
	got, err := addLongDouble(a, []byte(b))
	require.NoError(t, err, "%s + %s", a, b)
	require.Equal(t, want, got, "%s + %s", a, b)
}

func TestLongDoubleAgainstBigFloat(t *testing.T) {
	cases := [][2]string{
		{"10.5", "0.1"}, {"0.1", "0.2"}, {"3.0e3", "1"}, {"1.5", "-1.5"}, {"-0", "-0"},
		{"5.0e3", "2.0e2"}, {"1e100", "1"}, {"1e-300", "1"}, {"0x1p-1", "0x1.8p3"}, {"0x.8", "0"},
		{"123456789012345678901234567890", "0.000000000000000001"}, {"17179869184", "0.5"},
		{"18446744073709551615", "1"}, {"18446744073709551616", "-1"}, {"1e4000", "1e4000"},
		{"-1e-20", "0"}, {"0.00000000000000000555", "0"}, {"0.000000000000000005", "0"},
		{"0.000000000000000015", "0"}, {"1.00000000000000000005", "0"}, {"9.99999999999999999995", "0"},
		{"1e4931", "1e4931"}, {"1e-4000", "1"}, {"0000001.5e2", "-0.25"}, {".5", "1."},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	num := func() string {
		switch rng.IntN(5) {
		case 0:
			return strconv.FormatFloat(rng.NormFloat64()*1e6, 'f', rng.IntN(20), 64)
		case 1:
			return strconv.FormatFloat(rng.Float64(), 'e', rng.IntN(25), 64) + strconv.Itoa(rng.IntN(600) - 300)[1:]
		case 2:
			return strconv.FormatInt(rng.Int64()>>rng.IntN(63), 10)
		case 3:
			d := make([]byte, 1+rng.IntN(40))
			for i := range d {
				d[i] = byte('0' + rng.IntN(10))
			}
			s := string(d)
			if k := rng.IntN(len(d) + 1); k < len(d) {
				s = s[:k] + "." + s[k:]
			}
			return s
		default:
			return "0x" + strconv.FormatUint(rng.Uint64()>>rng.IntN(60), 16) + "p" + strconv.Itoa(rng.IntN(200)-100)
		}
	}
	for i := 0; i < 3000; i++ {
		cases = append(cases, [2]string{num(), num()})
	}
	for _, c := range cases {
		checkAgainstBig(t, c[0], c[1])
	}
}

func TestParseLongDoubleEdges(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"1", true}, {"-1.5", true}, {"+2", true}, {".5", true}, {"5.", true}, {"1e10", true},
		{"1E+10", true}, {"inf", true}, {"-Infinity", true}, {"0x1A", true}, {"0x1.8p3", true},
		{"0X.8P-1", true}, {"0", true}, {"-0", true}, {"0e999999", true},
		{"", false}, {" 1", false}, {"1 ", false}, {"1e", false}, {"1e+", false}, {".", false},
		{"nan", false}, {"-nan", false}, {"infinit", false}, {"0x", false}, {"0x1p", false},
		{"1_000", false}, {"abc", false}, {"1.2.3", false}, {"++1", false},
		{"1e5000", false}, {"-1e5000", false}, {"1e-5000", false}, {"1e4932", true}, {"1e4933", false},
		{"3e-4951", true}, {"1e-4952", false}, {strings.Repeat("1", 5200), false},
	} {
		_, ok := parseLongDouble(tc.in)
		assert.Equal(t, tc.ok, ok, "%q", tc.in)
	}
}

func FuzzLongDouble(f *testing.F) {
	for _, s := range [][2]string{{"10.5", "0.1"}, {"0x1p3", "-2e-3"}, {"1e4000", "-1e3999"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 200 || len(b) > 200 {
			return
		}
		got, err := addLongDouble(a, []byte(b))
		if err == nil {
			_, ok := parseLongDouble(got)
			require.True(t, ok, "the sum %q must read back", got)
		}
		checkAgainstBig(t, a, b)
	})
}
