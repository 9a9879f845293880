package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKeySlot(t *testing.T) {
	// Expected values from Redis 7.0.15's CLUSTER KEYSLOT (and the
	// cluster spec's CRC16 reference value for "123456789").
	assert.Equal(t, uint16(0x31C3), CRC16([]byte("123456789")))
	for _, tc := range []struct {
		key  string
		slot int
	}{
		{"", 0},
		{"foo", 12182},
		{"bar", 5061},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"user1000", 3443},
		{"foo{}{bar}", 8363},
		{"foo{{bar}}zap", 4015},
		{"foo{bar}{zap}", 5061},
		{"{}", 15257},
		{"{", 4092},
		{"}{a}", 15495},
	} {
		assert.Equal(t, tc.slot, KeySlot([]byte(tc.key)), tc.key)
	}
}

func BenchmarkKeySlot(b *testing.B) {
	key := []byte("key:{user:1000}:profile")
	b.ReportAllocs()
	for b.Loop() {
		KeySlot(key)
	}
}
