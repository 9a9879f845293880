package aof

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestManifestRoundTrip(t *testing.T) {
	text := "file appendonly.aof.2.base.rdb seq 2 type b\n" +
		"file appendonly.aof.1.base.rdb seq 1 type h\n" +
		"file appendonly.aof.3.incr.aof seq 3 type i\n" +
		"file appendonly.aof.4.incr.aof seq 4 type i\n"
	m, err := ParseManifest([]byte(text))
	require.NoError(t, err)
	assert.Equal(t, &FileInfo{"appendonly.aof.2.base.rdb", 2, TypeBase}, m.Base)
	assert.Equal(t, []FileInfo{{"appendonly.aof.1.base.rdb", 1, TypeHistory}}, m.History)
	assert.Equal(t, int64(4), m.IncrSeq)
	assert.Equal(t, text, string(m.Bytes()))
}

func TestManifestQuotedNamesAndComments(t *testing.T) {
	m, err := ParseManifest([]byte("# a comment\nfile \"my file\\x41.aof\" seq 1 type i  extra value\r\n"))
	require.NoError(t, err)
	require.Len(t, m.Incr, 1)
	assert.Equal(t, "my fileA.aof", m.Incr[0].Name)
	assert.Equal(t, "file \"my fileA.aof\" seq 1 type i\n", string(m.Bytes()))
	again, err := ParseManifest(m.Bytes())
	require.NoError(t, err)
	assert.Equal(t, m.Incr, again.Incr)
}

func TestManifestErrors(t *testing.T) {
	long := make([]byte, 1100)
	for i := range long {
		long[i] = 'a'
	}
	tests := []struct{ text, msg string }{
		{"", "Found an empty AOF manifest"},
		{"\n", "Invalid AOF manifest file format"},
		{"file a seq 1\n", "Invalid AOF manifest file format"},
		{"file a seq 1 type\n", "Invalid AOF manifest file format"},
		{"file a seq 0 type i\n", "Invalid AOF manifest file format"},
		{"file dir/a seq 1 type i\n", "File can't be a path, just a filename"},
		{"file a seq 1 type x\n", "Unknown AOF file type"},
		{"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information"},
		{"file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number"},
		{"file \"a seq 1 type i\n", "Invalid AOF manifest file format"},
		{string(long), "The AOF manifest file contains too long line"},
		{"file a seq 1 type i", "The AOF manifest file contains too long line"},
	}
	for _, tc := range tests {
		_, err := ParseManifest([]byte(tc.text))
		require.Error(t, err, tc.text)
		assert.Equal(t, tc.msg, err.Error(), "%q", tc.text)
	}
}

func TestManifestRewriteSteps(t *testing.T) {
	m := &Manifest{}
	assert.Equal(t, "appendonly.aof.1.base.rdb", m.newBase("appendonly.aof", true))
	assert.Equal(t, "appendonly.aof.1.incr.aof", m.lastIncr("appendonly.aof"))
	assert.Equal(t, "appendonly.aof.2.incr.aof", m.newIncr("appendonly.aof"))
	assert.Equal(t, "appendonly.aof.3.incr.aof", m.newIncr("appendonly.aof"))
	// A rewrite: new base, the old base and the covered incr files become
	// history, in Redis's order.
	assert.Equal(t, "appendonly.aof.2.base.aof", m.newBase("appendonly.aof", false))
	m.incrToHistory(true)
	assert.Equal(t, "file appendonly.aof.2.base.aof seq 2 type b\n"+
		"file appendonly.aof.1.incr.aof seq 1 type h\n"+
		"file appendonly.aof.2.incr.aof seq 2 type h\n"+
		"file appendonly.aof.1.base.rdb seq 1 type h\n"+
		"file appendonly.aof.3.incr.aof seq 3 type i\n", string(m.Bytes()))
}
