package acl

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSHA256MatchesCrypto(t *testing.T) {
	for n := 0; n < 300; n++ {
		msg := []byte(strings.Repeat("abcdefghij", 30)[:n])
		assert.Equal(t, sha256.Sum256(msg), sha256Sum(msg), "length %d", n)
	}
}

func FuzzSHA256(f *testing.F) {
	f.Add([]byte("password"))
	f.Fuzz(func(t *testing.T, p []byte) {
		if sha256.Sum256(p) != sha256Sum(p) {
			t.Fatalf("digest of %q differs", p)
		}
	})
}
