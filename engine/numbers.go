package engine

import (
	"math"
	"strconv"
	"strings"
)

// parseInt reads a signed 64-bit integer the way Redis's string2ll does:
// no spaces, no plus sign, no leading zeros.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > uint64(math.MaxInt64)+1 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// intArg parses an integer argument or returns Redis's error.
func intArg(b []byte) (int64, error) {
	v, ok := parseInt(b)
	if !ok {
		return 0, argError(errNotInt)
	}
	return v, nil
}

// parseFloat reads a double as Redis's string2ld/strtold accept it: no
// leading or trailing spaces; "inf", "-inf", "+inf" allowed; NaN refused.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 5000 {
		return 0, false
	}
	if b[0] == ' ' || b[len(b)-1] == ' ' || b[0] == '\t' {
		return 0, false
	}
	s := string(b)
	switch strings.ToLower(s) {
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), true
	case "-inf", "-infinity":
		return math.Inf(-1), true
	}
	// Go accepts forms C does not ("1_000", "0x1p-2" is fine in both);
	// reject underscores explicitly.
	if strings.ContainsRune(s, '_') {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, !math.IsInf(f, 0) // overflow is an error, underflow is fine
		}
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// addLongDouble adds two decimal numbers the way INCRBYFLOAT and
// HINCRBYFLOAT do in Redis: in x87 long double (64-bit mantissa) and printed
// with %.17Lf, trailing zeros trimmed. math/big with 64 bits of precision
// rounds exactly as the long double does, so 0.1 + 0.2 gives "0.3" as in
// Redis, not float64's 0.30000000000000004.
func addLongDouble(cur string, incr []byte) (string, error) {
	a, ok := parseLongDouble(cur)
	if !ok {
		return "", argError(errNotFloat)
	}
	b, ok := parseLongDouble(string(incr))
	if !ok {
		return "", argError(errNotFloat)
	}
	if a.isInf() || b.isInf() {
		return "", argError(errIncrFloatNaN)
	}
	sum, ok := addLD(a, b)
	if !ok { // past long double's range, near 1.19e4932
		return "", argError(errIncrFloatNaN)
	}
	out := trimZeros(formatLD(sum))
	if out == "-0" {
		out = "0"
	}
	return out, nil
}

// AppendDoubleString is AppendDouble into a new string.
func AppendDoubleString(f float64) string {
	return string(AppendDouble(nil, f))
}

// equalFold reports whether b equals the lower-case ASCII word lower,
// ignoring case, without allocating.
func equalFold(b []byte, lowerWord string) bool {
	if len(b) != len(lowerWord) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lower(b[i]) != lowerWord[i] {
			return false
		}
	}
	return true
}
