package persist

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDebugReloadFunctions: a reload replaces the function libraries with
// the dump's, as Redis's DEBUG RELOAD (emptyData, then rdbLoad): a library
// loaded after the save is gone; NOFLUSH fails on a library that is
// already there unless MERGE (RDBFLAGS_ALLOW_DUP) replaces it
// (unit/functions "test debug reload different options" and "with nosave
// and noflush").
func TestDebugReloadFunctions(t *testing.T) {
	eng, _ := testEngine(t, t.TempDir())
	c := newSession(eng)
	lib := func(name string) string {
		return "#!lua name=" + name + "\nredis.register_function('" + name + "', function() return '" + name + "' end)"
	}
	assert.Equal(t, "$4\r\nlib1\r\n", c.do("FUNCTION", "LOAD", lib("lib1")))
	assert.Equal(t, "+OK\r\n", c.do("DEBUG", "RELOAD"))
	assert.Equal(t, "$4\r\nlib1\r\n", c.do("FCALL", "lib1", "0"))

	assert.Equal(t, "-ERR Error trying to load the RDB dump\r\n", c.do("DEBUG", "RELOAD", "NOFLUSH"))
	assert.Equal(t, "+OK\r\n", c.do("DEBUG", "RELOAD", "NOFLUSH", "MERGE"))
	assert.Equal(t, "$4\r\nlib1\r\n", c.do("FCALL", "lib1", "0"))

	// Loaded after the save: gone after a plain reload of that dump...
	assert.Equal(t, "$4\r\nlib2\r\n", c.do("FUNCTION", "LOAD", lib("lib2")))
	assert.Equal(t, "+OK\r\n", c.do("DEBUG", "RELOAD", "NOSAVE"))
	assert.Equal(t, "-ERR Function not found\r\n", c.do("FCALL", "lib2", "0"))
	assert.Equal(t, "$4\r\nlib1\r\n", c.do("FCALL", "lib1", "0"))
	// ...kept by a merge into the dataset.
	assert.Equal(t, "$4\r\nlib2\r\n", c.do("FUNCTION", "LOAD", lib("lib2")))
	assert.Equal(t, "+OK\r\n", c.do("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"))
	assert.Equal(t, "$4\r\nlib1\r\n", c.do("FCALL", "lib1", "0"))
	assert.Equal(t, "$4\r\nlib2\r\n", c.do("FCALL", "lib2", "0"))

	// A flush empties the libraries too; the dump brings back its own.
	assert.Equal(t, "+OK\r\n", c.do("FUNCTION", "DELETE", "lib1"))
	assert.Equal(t, "+OK\r\n", c.do("DEBUG", "RELOAD"))
	assert.Equal(t, "-ERR Function not found\r\n", c.do("FCALL", "lib1", "0"))
	assert.Equal(t, "$4\r\nlib2\r\n", c.do("FCALL", "lib2", "0"))
}
