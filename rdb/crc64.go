package rdb

import "hash/crc64"

// Redis's CRC-64 is the Jones polynomial, reflected, with no initial or
// final inversion. Go's crc64 inverts before and after, so it is asked to
// start from ^0 and its answer is inverted back.
var crcJonesTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// CRC64 is Redis's crc64(0, p): the checksum of DUMP payloads and of RDB
// files.
func CRC64(p []byte) uint64 { return UpdateCRC64(0, p) }

// UpdateCRC64 continues crc (a previous result) over p.
func UpdateCRC64(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, crcJonesTable, p)
}
