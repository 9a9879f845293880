// Package cluster holds Redis Cluster's data model without any I/O: hash
// slots, the table of nodes and slot owners a node believes in, the
// nodes.conf format, and the cluster bus's binary messages. The engine asks
// it where a key lives; the bus driver (package clusterbus) feeds it what
// peers say.
package cluster

// Slots is the number of hash slots the key space is cut into.
const Slots = 16384

// crc16Table is CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0),
// the checksum Redis Cluster hashes keys with.
var crc16Table = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// CRC16 is the XMODEM CRC16 of b.
func CRC16[T ~string | ~[]byte](b T) uint16 {
	var crc uint16
	for i := 0; i < len(b); i++ {
		crc = crc<<8 ^ crc16Table[byte(crc>>8)^b[i]]
	}
	return crc
}

// KeySlot is the hash slot of key: the CRC16 of the key, or of its hash
// tag (what lies between the first '{' and the first '}' after it, when
// that is not empty), modulo 16384.
func KeySlot[T ~string | ~[]byte](key T) int {
	for s := 0; s < len(key); s++ {
		if key[s] != '{' {
			continue
		}
		for e := s + 1; e < len(key); e++ {
			if key[e] == '}' {
				if e == s+1 {
					break // "{}": the whole key
				}
				return int(CRC16(key[s+1:e]) & (Slots - 1))
			}
		}
		break
	}
	return int(CRC16(key) & (Slots - 1))
}
