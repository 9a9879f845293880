package geohash

import "math"

// Correctly rounded sin, cos and asin for the distance formula. Redis calls
// glibc's, which round correctly in all but about one call in a thousand;
// Go's math package is off by an ulp far more often, and those ulps show
// in STOREDIST scores and at the edge of a radius. These compute in
// double-double arithmetic (about 106 bits) and round once, so they agree
// with glibc wherever glibc is correctly rounded. They are slower than
// math.Sin, so searches use them only where the last bits can matter.

// dd is an unevaluated sum hi+lo with |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func ddAdd(x, y dd) dd {
	s := twoSum(x.hi, y.hi)
	t := twoSum(x.lo, y.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func ddNeg(x dd) dd { return dd{-x.hi, -x.lo} }

func ddMul(x, y dd) dd {
	p := twoProd(x.hi, y.hi)
	p.lo += x.hi*y.lo + x.lo*y.hi
	return quickTwoSum(p.hi, p.lo)
}

// π/2 in three parts.
const (
	pio2Hi  = 1.5707963267948966
	pio2Mid = 6.123233995736766e-17
	pio2Lo  = -1.4973849048591698e-33
)

// reduce returns r = x - k·π/2 with |r| <= ~π/4, and k mod 4. Enough for
// the arguments of the distance formula (|x| below a few π).
func reduce(x float64) (dd, int) {
	k := math.Round(x / pio2Hi)
	r := ddAdd(dd{x, 0}, ddNeg(twoProd(k, pio2Hi)))
	r = ddAdd(r, ddNeg(twoProd(k, pio2Mid)))
	r = ddAdd(r, dd{-k * pio2Lo, 0})
	return r, int(k) & 3
}

// Taylor coefficients (-1)^k/(2k+1)! and (-1)^k/(2k)!, k = 1..13, as
// double-doubles (computed with 300-bit arithmetic). Read-only.
var sinCoef = [13]dd{
	{-0x1.5555555555555p-3, -0x1.5555555555555p-57},
	{0x1.1111111111111p-7, 0x1.1111111111111p-63},
	{-0x1.a01a01a01a01ap-13, -0x1.a01a01a01a01ap-73},
	{0x1.71de3a556c734p-19, -0x1.c154f8ddc6c00p-73},
	{-0x1.ae64567f544e4p-26, 0x1.c062e06d1f209p-80},
	{0x1.6124613a86d09p-33, 0x1.f28e0cc748ebep-87},
	{-0x1.ae7f3e733b81fp-41, -0x1.1d8656b0ee8cbp-97},
	{0x1.952c77030ad4ap-49, 0x1.ac981465ddc6cp-103},
	{-0x1.2f49b46814157p-57, -0x1.2650f61dbdcb4p-112},
	{0x1.71b8ef6dcf572p-66, -0x1.d043ae40c4647p-120},
	{-0x1.761b41316381ap-75, 0x1.3423c7d91404fp-130},
	{0x1.3f3ccdd165fa9p-84, -0x1.58ddadf344487p-139},
	{-0x1.d1ab1c2dccea3p-94, -0x1.054d0c78aea14p-149},
}

var cosCoef = [13]dd{
	{-0x1.0000000000000p-1, 0},
	{0x1.5555555555555p-5, 0x1.5555555555555p-59},
	{-0x1.6c16c16c16c17p-10, 0x1.f49f49f49f49fp-65},
	{0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-76},
	{-0x1.27e4fb7789f5cp-22, -0x1.cbbc05b4fa99ap-76},
	{0x1.1eed8eff8d898p-29, -0x1.2aec959e14c06p-83},
	{-0x1.93974a8c07c9dp-37, -0x1.05d6f8a2efd1fp-92},
	{0x1.ae7f3e733b81fp-45, 0x1.1d8656b0ee8cbp-101},
	{-0x1.6827863b97d97p-53, -0x1.eec01221a8b0bp-107},
	{0x1.e542ba4020225p-62, 0x1.ea72b4afe3c2fp-120},
	{-0x1.0ce396db7f853p-70, 0x1.aebcdbd20331cp-124},
	{0x1.f2cf01972f578p-80, -0x1.9ada5fcc1ab14p-135},
	{-0x1.88e85fc6a4e5ap-89, 0x1.71c37ebd16540p-143},
}

// series evaluates 1 + c[0]·r² + c[1]·r⁴ + ... at a reduced r. The terms
// from r⁸ on weigh less than 1e-6 of the sum, so they are summed in plain
// doubles; the first three in double-double.
func series(c *[13]dd, r2 dd) dd {
	x := r2.hi
	t := c[12].hi
	for k := 11; k >= 3; k-- {
		t = c[k].hi + x*t
	}
	p := dd{t, 0}
	for k := 2; k >= 0; k-- {
		p = ddAdd(c[k], ddMul(r2, p))
	}
	return ddAdd(dd{1, 0}, ddMul(r2, p))
}

// sinCosSeries is sin(r) (odd) or cos(r) at a reduced r.
func sinCosSeries(r dd, odd bool) dd {
	r2 := ddMul(r, r)
	if !odd {
		return series(&cosCoef, r2)
	}
	// sin r = r·(1 - r²/3! + ...): the series with sin's coefficients.
	return ddMul(r, series(&sinCoef, r2))
}

func sinDD(x float64) dd {
	r, q := reduce(x)
	switch q {
	case 0:
		return sinCosSeries(r, true)
	case 1:
		return sinCosSeries(r, false)
	case 2:
		return ddNeg(sinCosSeries(r, true))
	}
	return ddNeg(sinCosSeries(r, false))
}

func cosDD(x float64) dd {
	r, q := reduce(x)
	switch q {
	case 0:
		return sinCosSeries(r, false)
	case 1:
		return ddNeg(sinCosSeries(r, true))
	case 2:
		return ddNeg(sinCosSeries(r, false))
	}
	return sinCosSeries(r, true)
}

// sinCR is sin(x) correctly rounded (for |x| up to a few π).
func sinCR(x float64) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x) > 64 {
		return math.Sin(x)
	}
	return sinDD(x).hi
}

// cosCR is cos(x) correctly rounded (for |x| up to a few π).
func cosCR(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x) > 64 {
		return math.Cos(x)
	}
	return cosDD(x).hi
}

// asinCR is asin(x) correctly rounded: one Newton step in double-double
// from math.Asin.
func asinCR(x float64) float64 {
	y := math.Asin(x)
	if x == 0 || math.IsNaN(y) || math.Abs(x) == 1 {
		return y
	}
	s, c := sinDD(y), cosDD(y)
	diff := ddAdd(dd{x, 0}, ddNeg(s))
	delta := (diff.hi + diff.lo) / (c.hi + c.lo)
	return y + delta
}
