package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	idA = "002cb76bea5e5b5904f8a841f104507a4f8cf4bf"
	idB = "1d6d629ae50309582653c210145d0ebbe4713c27"
	idC = "d80cf135954c3ba2cd41c6c7fd7250b84e9848d1"
	idD = "594f98725d61f997ccc25d9018fbf473664e16fc"
)

// A nodes.conf in the shape Redis 7.0 writes it (ping/pong times 0, so
// that it reads back byte for byte).
var sampleConf = idA + " 127.0.0.1:7803@17803,host-a myself,master - 0 0 2 connected 0-99 200 [5-<-" + idB + "] [300->-" + idC + "]\n" +
	idB + " 127.0.0.1:7801@17801 master,fail - 0 0 1 disconnected 100-199 201-16383\n" +
	idC + " 127.0.0.1:7802@17802 master,nofailover - 0 0 3 disconnected\n" +
	idD + " 127.0.0.1:7804@17804 slave " + idA + " 0 0 2 disconnected\n" +
	"vars currentEpoch 5 lastVoteEpoch 4\n"

func TestLoadConfig(t *testing.T) {
	st, err := LoadConfig([]byte(sampleConf), 1000)
	require.NoError(t, err)
	me := st.Myself
	assert.Equal(t, idA, me.Name)
	assert.Equal(t, "host-a", me.Hostname)
	assert.Equal(t, 7803, me.Port)
	assert.Equal(t, 17803, me.CPort)
	assert.Equal(t, 101, me.NumSlots)
	assert.Equal(t, uint64(5), st.CurrentEpoch)
	assert.Equal(t, uint64(4), st.LastVoteEpoch)
	b := st.Lookup(idB)
	assert.True(t, b.Failed())
	assert.Equal(t, int64(1000), b.FailTime)
	assert.Equal(t, b, st.ImportingFrom[5])
	assert.Equal(t, st.Lookup(idC), st.MigratingTo[300])
	d := st.Lookup(idD)
	assert.Equal(t, me, d.Master)
	assert.Equal(t, []*Node{d}, me.Replicas)
	assert.Equal(t, uint64(0), d.ConfigEpoch, "a replica's epoch is its master's")
	assert.Equal(t, sampleConf, string(st.ConfigFile()))
	assert.Equal(t, idD+" 127.0.0.1:7804@17804 slave "+idA+" 0 0 2 disconnected", st.NodeDescription(d))
}

func TestLoadConfigOldAndOdd(t *testing.T) {
	// No @busport (older files): port+10000. Unknown vars are skipped.
	st, err := LoadConfig([]byte(idA+" 10.0.0.1:7000 myself,master - 0 0 0 connected 5\nvars currentEpoch 1 lastVoteEpoch 0 future 1\n\n"), 0)
	require.NoError(t, err)
	assert.Equal(t, 17000, st.Myself.CPort)
	assert.Equal(t, 1, st.Myself.NumSlots)
	for _, bad := range []string{
		"", // no myself
		idA + " 127.0.0.1:1@2 master - 0 0 0 connected\n", // no myself
		idA + " 127.0.0.1:1@2 myself,master - 0 0\n",      // short
		"xyz 127.0.0.1:1@2 myself,master - 0 0 0 connected\n",
		idA + " nocolon myself,master - 0 0 0 connected\n",
		idA + " 127.0.0.1:1@2 myself,bogus - 0 0 0 connected\n",
		idA + " 127.0.0.1:1@2 myself,master - 0 0 0 connected 16384\n",
		idA + " 127.0.0.1:1@2 myself,master - 0 0 0 connected [5-<-short]\n",
		idA + " 127.0.0.1:1@2 myself,master - 0 0 0 connected\nvars currentEpoch\n",
		idA + " 127.0.0.1:1@2 myself,master - 0 0 0 connected\n" + idB + " 127.0.0.1:1@2 myself,master - 0 0 0 connected\n",
	} {
		_, err := LoadConfig([]byte(bad), 0)
		assert.ErrorIs(t, err, ErrCorruptConfig, bad)
	}
}

func TestWriteConfigFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nodes.conf")
	require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("x", 10000)), 0o644))
	require.NoError(t, WriteConfigFile(path, []byte(sampleConf)))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, sampleConf, string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
	assert.Error(t, WriteConfigFile(filepath.Join(dir, "missing", "nodes.conf"), nil))
}

func TestStateSlotsAndEpochs(t *testing.T) {
	st := New(idA, 0)
	other := st.NewNode(idB, FlagMaster, 0)
	st.AddNode(other)
	assert.True(t, st.AddSlot(st.Myself, 10))
	assert.False(t, st.AddSlot(other, 10))
	assert.True(t, st.AddSlot(other, 11))
	assert.Equal(t, []int{10, 10}, st.SlotRanges(st.Myself))
	assert.True(t, st.BumpEpochWithoutConsensus())
	assert.False(t, st.BumpEpochWithoutConsensus(), "already the unique largest epoch")
	other.ConfigEpoch = st.Myself.ConfigEpoch
	before := st.Myself.ConfigEpoch
	assert.True(t, st.HandleConfigEpochCollision(other), "the node with the smaller name takes a new epoch")
	assert.Equal(t, before+1, st.Myself.ConfigEpoch)
	st.DelNode(other)
	assert.Nil(t, st.Slots[11])
	assert.Nil(t, st.Lookup(idB))
	st.BlacklistAdd(idB, 100)
	assert.True(t, st.Blacklisted(idB, 160))
	assert.False(t, st.Blacklisted(idB, 161))
	assert.ErrorIs(t, st.StartHandshake("not-an-ip", 1, 2, 0), ErrInvalidAddress)
	require.NoError(t, st.StartHandshake("::1", 7000, 17000, 0))
	assert.ErrorIs(t, st.StartHandshake("0:0::1", 7000, 17000, 0), ErrHandshakeUnderway)
}
