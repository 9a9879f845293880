package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommandHints(t *testing.T) {
	e := New(Options{})
	hints := e.CommandHints()
	require.NotEmpty(t, hints)
	byName := map[string]CommandHint{}
	for i, h := range hints {
		if i > 0 {
			assert.Less(t, hints[i-1].Name, h.Name, "sorted")
		}
		byName[h.Name] = h
	}
	set, ok := byName["SET"]
	require.True(t, ok)
	assert.Equal(t, -3, set.Arity)
	assert.Equal(t, "string", set.Group)
	// The synopsis redis-cli 7.0 prints for HELP SET.
	assert.Equal(t, "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]", set.Params)
	assert.Equal(t, "key [key ...]", byName["DEL"].Params)
	assert.Equal(t, "", byName["DBSIZE"].Params)
	// Every hint is a command the dispatcher knows.
	for _, h := range hints {
		assert.NotNil(t, e.lookupCommand([]byte(h.Name)), h.Name)
	}
}
