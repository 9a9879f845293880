package shasum

import (
	"crypto/sha1"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSHA256MatchesCrypto(t *testing.T) {
	for n := 0; n < 300; n++ {
		msg := []byte(strings.Repeat("abcdefghij", 30)[:n])
		assert.Equal(t, sha256.Sum256(msg), SHA256(msg), "length %d", n)
	}
}

func FuzzSHA256(f *testing.F) {
	f.Add([]byte("password"))
	f.Fuzz(func(t *testing.T, p []byte) {
		if sha256.Sum256(p) != SHA256(p) {
			t.Fatalf("digest of %q differs", p)
		}
	})
}

func TestSHA1MatchesCrypto(t *testing.T) {
	for n := 0; n < 300; n++ {
		msg := []byte(strings.Repeat("abcdefghij", 30)[:n])
		assert.Equal(t, sha1.Sum(msg), SHA1(msg), "length %d", n)
	}
}

func FuzzSHA1(f *testing.F) {
	f.Add([]byte("return 1"))
	f.Fuzz(func(t *testing.T, p []byte) {
		if sha1.Sum(p) != SHA1(p) {
			t.Fatalf("digest of %q differs", p)
		}
	})
}
