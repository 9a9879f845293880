package engine

import "math/bits"

// INCRBYFLOAT and HINCRBYFLOAT compute in C's long double, on x86-64 the
// x87 80-bit format: a 64-bit significand and a 15-bit exponent. Adding
// 0.1 and 0.2 there gives "0.3" after Redis's %.17Lf, where float64 gives
// 0.30000000000000004, so the engine reproduces that format exactly:
// strtold's parsing, one correctly rounded addition and %.17Lf printing.
// Exact big-number arithmetic does it; math/big would too, but it drags
// fmt and reflect into the WebAssembly build (about 95 KB of brotli), so a
// small natural-number type does the little this needs.

// longDouble is (-1)^neg × mant × 2^exp, or an infinity.
type longDouble struct {
	neg  bool
	inf  bool
	mant uint64
	exp  int
}

// The x87 extended format's range, for mant × 2^exp with a 64-bit mant.
const (
	ldMinExp = -16445 // the smallest subnormal is 2^-16445
	ldMaxBit = 16384  // values from 2^16384 up overflow
	// Decimal exponents certainly past the range (1.19e4932 is the
	// largest value, 3.6e-4951 the smallest).
	ldMaxDecExp = 4940
	ldMinDecExp = 4960
)

func (x longDouble) isInf() bool { return x.inf }

// nat is a natural number, little-endian 32-bit limbs, no leading zeros.
type nat []uint32

func natFrom(v uint64) nat {
	return nat{uint32(v), uint32(v >> 32)}.norm()
}

func (x nat) norm() nat {
	for len(x) > 0 && x[len(x)-1] == 0 {
		x = x[:len(x)-1]
	}
	return x
}

func (x nat) bitLen() int {
	if len(x) == 0 {
		return 0
	}
	return (len(x)-1)*32 + bits.Len32(x[len(x)-1])
}

func (x nat) bit(i int) bool {
	if i < 0 || i/32 >= len(x) {
		return false
	}
	return x[i/32]>>(i%32)&1 == 1
}

// anyBelow reports whether any bit under position i is set.
func (x nat) anyBelow(i int) bool {
	for k := 0; k < len(x) && k*32 < i; k++ {
		w := x[k]
		if (k+1)*32 > i {
			w &= 1<<(i-k*32) - 1
		}
		if w != 0 {
			return true
		}
	}
	return false
}

// mulAdd returns x*m + a.
func (x nat) mulAdd(m, a uint32) nat {
	z := make(nat, len(x), len(x)+1)
	carry := uint64(a)
	for i, w := range x {
		p := uint64(w)*uint64(m) + carry
		z[i], carry = uint32(p), p>>32
	}
	if carry != 0 {
		z = append(z, uint32(carry))
	}
	return z.norm()
}

// divSmall returns x/d and x%d.
func (x nat) divSmall(d uint32) (nat, uint32) {
	z := make(nat, len(x))
	var r uint64
	for i := len(x) - 1; i >= 0; i-- {
		cur := r<<32 | uint64(x[i])
		z[i], r = uint32(cur/uint64(d)), cur%uint64(d)
	}
	return z.norm(), uint32(r)
}

func (x nat) shl(n int) nat {
	if len(x) == 0 || n == 0 {
		return x
	}
	words, s := n/32, uint(n%32)
	z := make(nat, len(x)+words+1)
	for i := len(x) - 1; i >= 0; i-- {
		z[i+words+1] |= uint32(uint64(x[i]) << s >> 32)
		z[i+words] = x[i] << s
	}
	return z.norm()
}

func (x nat) shr(n int) nat {
	words, s := n/32, uint(n%32)
	if words >= len(x) {
		return nil
	}
	z := make(nat, len(x)-words)
	for i := range z {
		w := uint64(x[i+words])
		if i+words+1 < len(x) {
			w |= uint64(x[i+words+1]) << 32
		}
		z[i] = uint32(w >> s)
	}
	return z.norm()
}

func (x nat) cmp(y nat) int {
	if len(x) != len(y) {
		if len(x) < len(y) {
			return -1
		}
		return 1
	}
	for i := len(x) - 1; i >= 0; i-- {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (x nat) add(y nat) nat {
	if len(x) < len(y) {
		x, y = y, x
	}
	z := make(nat, len(x)+1)
	var carry uint64
	for i := range x {
		s := uint64(x[i]) + carry
		if i < len(y) {
			s += uint64(y[i])
		}
		z[i], carry = uint32(s), s>>32
	}
	z[len(x)] = uint32(carry)
	return z.norm()
}

// sub returns x-y for x >= y.
func (x nat) sub(y nat) nat {
	z := make(nat, len(x))
	var borrow int64
	for i := range x {
		d := int64(x[i]) - borrow
		if i < len(y) {
			d -= int64(y[i])
		}
		borrow = 0
		if d < 0 {
			d += 1 << 32
			borrow = 1
		}
		z[i] = uint32(d)
	}
	return z.norm()
}

// divmod returns x/y and whether the remainder is non-zero, by binary
// long division: callers keep the quotient near 64 bits.
func (x nat) divmod(y nat) (q nat, inexact bool) {
	shift := x.bitLen() - y.bitLen()
	if shift < 0 {
		return nil, len(x) > 0
	}
	rem := x
	d := y.shl(shift)
	q = make(nat, shift/32+1)
	for i := shift; i >= 0; i-- {
		if rem.cmp(d) >= 0 {
			rem = rem.sub(d)
			q[i/32] |= 1 << (i % 32)
		}
		d = d.shr(1)
	}
	return q.norm(), len(rem) > 0
}

func (x nat) uint64() uint64 {
	var v uint64
	for i := min(len(x), 2) - 1; i >= 0; i-- {
		v = v<<32 | uint64(x[i])
	}
	return v
}

// decimal returns x in base 10.
func (x nat) decimal() []byte {
	if len(x) == 0 {
		return []byte{'0'}
	}
	var chunks []uint32
	for len(x) > 0 {
		var r uint32
		x, r = x.divSmall(1e9)
		chunks = append(chunks, r)
	}
	out := make([]byte, 0, len(chunks)*9)
	for i := len(chunks) - 1; i >= 0; i-- {
		var buf [9]byte
		v := chunks[i]
		for k := 8; k >= 0; k-- {
			buf[k] = byte('0' + v%10)
			v /= 10
		}
		if i == len(chunks)-1 {
			k := 0
			for k < 8 && buf[k] == '0' {
				k++
			}
			out = append(out, buf[k:]...)
		} else {
			out = append(out, buf[:]...)
		}
	}
	return out
}

func pow10Nat(n int) nat {
	x := natFrom(1)
	for ; n >= 9; n -= 9 {
		x = x.mulAdd(1e9, 0)
	}
	for ; n > 0; n-- {
		x = x.mulAdd(10, 0)
	}
	return x
}

// roundLD rounds n × 2^exp (plus, when sticky, a little more than that
// but less than one unit of n's last bit) to the nearest long double,
// ties to even. ok is false on overflow.
func roundLD(neg bool, n nat, exp int, sticky bool) (x longDouble, ok bool) {
	if sticky {
		// One extra low bit that is set stands for "something below".
		n, exp = n.shl(1).mulAdd(1, 1), exp-1
	}
	shift := max(n.bitLen()-64, ldMinExp-exp)
	var m uint64
	if shift > 0 {
		q := n.shr(shift)
		m = q.uint64()
		if q.bitLen() > 64 {
			m = ^uint64(0) // cannot happen: shift leaves at most 64 bits
		}
		if n.bit(shift-1) && (n.anyBelow(shift-1) || m&1 == 1) {
			m++
			if m == 0 { // carried out of 64 bits
				m, shift = 1<<63, shift+1
			}
		}
		exp += shift
	} else {
		m = n.uint64()
	}
	if m != 0 && bits.Len64(m)+exp > ldMaxBit {
		return longDouble{}, false
	}
	if m == 0 {
		exp = 0
	}
	return longDouble{neg: neg, mant: m, exp: exp}, true
}

// parseLongDouble reads s as Redis's string2ld does with strtold: the
// whole string, no leading space, decimal or C99 hexadecimal, inf and
// infinity in any case; NaN, overflow and underflow to zero refused.
func parseLongDouble(s string) (longDouble, bool) {
	if len(s) == 0 || len(s) >= 5*1024 {
		return longDouble{}, false
	}
	i, neg := 0, false
	if s[0] == '+' || s[0] == '-' {
		neg, i = s[0] == '-', 1
	}
	switch rest := lowerASCII(s[i:]); rest {
	case "inf", "infinity":
		return longDouble{neg: neg, inf: true}, true
	}
	hex := len(s) > i+2 && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && (hexVal(s[i+2]) >= 0 || (s[i+2] == '.' && len(s) > i+3 && hexVal(s[i+3]) >= 0))
	base := uint32(10)
	if hex {
		base, i = 16, i+2
	}
	var mant nat
	digits, fracDigits, sawPoint := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && !sawPoint {
			sawPoint = true
			continue
		}
		v := int32(c) - '0'
		if hex {
			v = hexVal(c)
		} else if c < '0' || c > '9' {
			v = -1
		}
		if v < 0 {
			break
		}
		mant = mant.mulAdd(base, uint32(v))
		digits++
		if sawPoint {
			fracDigits++
		}
	}
	if digits == 0 {
		return longDouble{}, false
	}
	exp := 0
	if i < len(s) && ((!hex && (s[i] == 'e' || s[i] == 'E')) || (hex && (s[i] == 'p' || s[i] == 'P'))) {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg, i = s[i] == '-', i+1
		}
		if i == len(s) {
			return longDouble{}, false
		}
		for ; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return longDouble{}, false
			}
			exp = min(exp*10+int(s[i]-'0'), 1<<20)
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return longDouble{}, false
	}
	if len(mant) == 0 {
		return longDouble{neg: neg}, true
	}
	if hex {
		x, ok := roundLD(neg, mant, exp-4*fracDigits, false)
		return x, ok && x.mant != 0
	}
	exp -= fracDigits
	// The value is below 10^(mag+1): past the range either way, it is
	// refused before any big power of ten is built.
	mag := mant.bitLen()*30103/100000 + exp
	if mag > ldMaxDecExp {
		return longDouble{}, false // overflow
	}
	if mag < -ldMinDecExp {
		return longDouble{}, false // underflow to zero
	}
	if exp >= 0 {
		x, ok := roundLD(neg, mant.mul(pow10Nat(exp)), 0, false)
		return x, ok
	}
	// mant / 10^-exp: only the quotient's top 70 bits and whether
	// anything is left over matter for rounding.
	den := pow10Nat(-exp)
	num, e2, sticky := mant, 0, false
	if k := num.bitLen() - den.bitLen() - 70; k > 0 {
		num, e2, sticky = num.shr(k), k, num.anyBelow(k)
	}
	s2 := max(0, den.bitLen()-num.bitLen()+70)
	q, inexact := num.shl(s2).divmod(den)
	x, ok := roundLD(neg, q, e2-s2, inexact || sticky)
	return x, ok && x.mant != 0
}

// mul returns x*y (schoolbook; the operands here are a few hundred limbs
// at most).
func (x nat) mul(y nat) nat {
	z := make(nat, len(x)+len(y))
	for i, xi := range x {
		var carry uint64
		for j, yj := range y {
			p := uint64(xi)*uint64(yj) + uint64(z[i+j]) + carry
			z[i+j], carry = uint32(p), p>>32
		}
		z[i+len(y)] = uint32(carry)
	}
	return z.norm()
}

func hexVal(c byte) int32 {
	switch {
	case c >= '0' && c <= '9':
		return int32(c - '0')
	case c >= 'a' && c <= 'f':
		return int32(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int32(c-'A') + 10
	}
	return -1
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

// addLD returns a+b rounded once; ok is false on overflow. Neither may be
// infinite.
func addLD(a, b longDouble) (longDouble, bool) {
	if a.mant == 0 {
		return b, true
	}
	if b.mant == 0 {
		return a, true
	}
	e := min(a.exp, b.exp)
	na := natFrom(a.mant).shl(a.exp - e)
	nb := natFrom(b.mant).shl(b.exp - e)
	if a.neg == b.neg {
		return roundLD(a.neg, na.add(nb), e, false)
	}
	switch na.cmp(nb) {
	case 0:
		return longDouble{}, true // x + -x is +0 when rounding to nearest
	case 1:
		return roundLD(a.neg, na.sub(nb), e, false)
	default:
		return roundLD(b.neg, nb.sub(na), e, false)
	}
}

// formatLD is printf's %.17Lf: exactly rounded to 17 decimals, ties to even.
func formatLD(x longDouble) string {
	const places = 17
	var digits []byte
	if x.exp >= 0 {
		digits = append(natFrom(x.mant).shl(x.exp).decimal(), "00000000000000000"...)
	} else {
		n := natFrom(x.mant).mulAdd(1e9, 0).mulAdd(1e8, 0) // × 10^17
		sh := -x.exp
		q := n.shr(sh)
		if n.bit(sh-1) && (n.anyBelow(sh-1) || q.bit(0)) {
			q = q.mulAdd(1, 1)
		}
		digits = q.decimal()
		for len(digits) <= places {
			digits = append([]byte{'0'}, digits...)
		}
	}
	out := make([]byte, 0, len(digits)+2)
	if x.neg {
		out = append(out, '-')
	}
	out = append(out, digits[:len(digits)-places]...)
	out = append(out, '.')
	return string(append(out, digits[len(digits)-places:]...))
}
