// Package shasum holds SHA-1 and SHA-256 written out from FIPS 180-4. They
// are not crypto/sha1 and crypto/sha256 because any crypto package brings
// Go's FIPS crypto module (and its self-tests) into the WebAssembly build,
// about 35 KB of brotli, for hashes that are not used for security there:
// script names (EVAL's SHA-1), DEBUG DIGEST, and ACL password hashes,
// which Redis also stores as plain SHA-256. Tests check both against the
// standard library.
package shasum

import (
	"encoding/binary"
	"math/bits"
)

// SHA1 is the SHA-1 digest of p.
func SHA1(p []byte) [20]byte {
	h := [5]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}
	var w [80]uint32
	block := func(b []byte) {
		for i := 0; i < 16; i++ {
			w[i] = binary.BigEndian.Uint32(b[4*i:])
		}
		for i := 16; i < 80; i++ {
			w[i] = bits.RotateLeft32(w[i-3]^w[i-8]^w[i-14]^w[i-16], 1)
		}
		a, b2, c, d, e := h[0], h[1], h[2], h[3], h[4]
		for i := 0; i < 80; i++ {
			var f, k uint32
			switch {
			case i < 20:
				f, k = b2&c|^b2&d, 0x5a827999
			case i < 40:
				f, k = b2^c^d, 0x6ed9eba1
			case i < 60:
				f, k = b2&c|b2&d|c&d, 0x8f1bbcdc
			default:
				f, k = b2^c^d, 0xca62c1d6
			}
			t := bits.RotateLeft32(a, 5) + f + e + k + w[i]
			a, b2, c, d, e = t, a, bits.RotateLeft32(b2, 30), c, d
		}
		h[0] += a
		h[1] += b2
		h[2] += c
		h[3] += d
		h[4] += e
	}
	eachBlock(p, block)
	var out [20]byte
	for i, v := range h {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out
}

// eachBlock calls block with each 64-byte block of p padded as both
// hashes pad it (FIPS 180-4, 5.1.1): the message, a 1 bit, zeros, and the
// message's length in bits, big-endian, ending a whole block.
func eachBlock(p []byte, block func(b []byte)) {
	n := len(p)
	full := n &^ 63
	for off := 0; off < full; off += 64 {
		block(p[off : off+64])
	}
	tail := make([]byte, 0, 128)
	tail = append(tail, p[full:]...)
	tail = append(tail, 0x80)
	for len(tail)%64 != 56 {
		tail = append(tail, 0)
	}
	tail = binary.BigEndian.AppendUint64(tail, uint64(n)*8)
	for off := 0; off < len(tail); off += 64 {
		block(tail[off : off+64])
	}
}
