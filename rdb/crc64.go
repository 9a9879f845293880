package rdb

import (
	"encoding/binary"
	"hash/crc64"
)

// Redis's CRC-64 is the Jones polynomial, reflected, with no initial or
// final inversion.
const jonesPoly = 0x95ac9329ac4bc9b5

// crcJones holds the slicing-by-8 tables of the Jones polynomial: entry
// [0] is the classic byte table, [k] advances a byte k more positions.
// Go's hash/crc64 only slices its two built-in polynomials below 2 KB,
// so an RDB's short keys and values went through it a byte at a time
// (Redis's crcspeed slices them too). Filled once, read-only after.
var crcJones = makeSlicing8(crc64.MakeTable(jonesPoly))

func makeSlicing8(t *crc64.Table) *[8][256]uint64 {
	var s [8][256]uint64
	s[0] = *t
	for i := 0; i < 256; i++ {
		crc := s[0][i]
		for k := 1; k < 8; k++ {
			crc = s[0][crc&0xff] ^ crc>>8
			s[k][i] = crc
		}
	}
	return &s
}

// CRC64 is Redis's crc64(0, p): the checksum of DUMP payloads and of RDB
// files.
func CRC64(p []byte) uint64 { return UpdateCRC64(0, p) }

// UpdateCRC64 continues crc (a previous result) over p.
func UpdateCRC64(crc uint64, p []byte) uint64 {
	t := crcJones
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return crc
}
