package cluster

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleHeader(typ uint16) Message {
	m := Message{
		Type: typ, Port: 7000, CurrentEpoch: 12, ConfigEpoch: 7, Offset: 123456,
		Sender: strings.Repeat("a", 40), SlaveOf: strings.Repeat("b", 40), MyIP: "10.0.0.1",
		PPort: 0, CPort: 17000, Flags: FlagSlave, State: 1,
	}
	m.MySlots[0] = 0x81
	m.MySlots[2047] = 0x01
	return m
}

func TestMessageRoundTrip(t *testing.T) {
	ping := sampleHeader(MsgPing)
	ping.Gossip = []Gossip{
		{Name: strings.Repeat("c", 40), PingSent: 1700000000, PongReceived: 1700000001, IP: "127.0.0.1", Port: 7001, CPort: 17001, Flags: FlagMaster | FlagPFail},
		{Name: strings.Repeat("d", 40), IP: "::1", Port: 7002, CPort: 17002, Flags: FlagSlave},
	}
	ping.Extensions = []Extension{HostnameExtension("node-1.example")}
	fail := sampleHeader(MsgFail)
	fail.FailNode = strings.Repeat("e", 40)
	pub := sampleHeader(MsgPublishShard)
	pub.Channel, pub.Payload = []byte("news"), []byte("hello\x00world")
	upd := sampleHeader(MsgUpdate)
	upd.UpdateNode, upd.UpdateConfigEpoch = strings.Repeat("f", 40), 99
	upd.UpdateSlots[100] = 0xff
	mod := sampleHeader(MsgModule)
	mod.ModuleID, mod.ModuleType, mod.ModulePayload = 42, 3, []byte("xyz")
	for _, m := range []Message{ping, fail, pub, upd, mod, sampleHeader(MsgFailoverAuthRequest), sampleHeader(MsgFailoverAuthAck), sampleHeader(MsgMFStart), sampleHeader(MsgPong)} {
		raw := m.Encode()
		n, err := PeekLength(raw[:8])
		require.NoError(t, err)
		require.Equal(t, len(raw), n)
		got, err := Decode(raw)
		require.NoError(t, err, MsgTypeName(m.Type))
		if len(m.Extensions) > 0 {
			m.MFlags[0] |= MFlagExtData
		}
		if m.Gossip == nil && (m.Type == MsgPing || m.Type == MsgPong || m.Type == MsgMeet) {
			m.Gossip = []Gossip{}
		}
		assert.Equal(t, m, *got, MsgTypeName(m.Type))
		assert.Equal(t, raw, got.Encode(), MsgTypeName(m.Type))
	}
	assert.Equal(t, "node-1.example", ping.Extensions[0].Hostname())
}

func TestMessageLayout(t *testing.T) {
	// The offsets cluster.h pins with static_asserts.
	m := sampleHeader(MsgFail)
	m.FailNode = strings.Repeat("z", 40)
	raw := m.Encode()
	assert.Equal(t, "RCmb", string(raw[0:4]))
	assert.Equal(t, uint32(2256+40), binary.BigEndian.Uint32(raw[4:]))
	assert.Equal(t, uint16(1), binary.BigEndian.Uint16(raw[8:]))
	assert.Equal(t, uint16(7000), binary.BigEndian.Uint16(raw[10:]))
	assert.Equal(t, MsgFail, binary.BigEndian.Uint16(raw[12:]))
	assert.Equal(t, uint64(12), binary.BigEndian.Uint64(raw[16:]))
	assert.Equal(t, uint64(7), binary.BigEndian.Uint64(raw[24:]))
	assert.Equal(t, uint64(123456), binary.BigEndian.Uint64(raw[32:]))
	assert.Equal(t, strings.Repeat("a", 40), string(raw[40:80]))
	assert.Equal(t, byte(0x81), raw[80])
	assert.Equal(t, strings.Repeat("b", 40), string(raw[2128:2168]))
	assert.Equal(t, "10.0.0.1\x00", string(raw[2168:2177]))
	assert.Equal(t, uint16(17000), binary.BigEndian.Uint16(raw[2248:]))
	assert.Equal(t, uint16(FlagSlave), binary.BigEndian.Uint16(raw[2250:]))
	assert.Equal(t, byte(1), raw[2252])
	assert.Equal(t, strings.Repeat("z", 40), string(raw[2256:2296]))
}

func TestDecodeRejects(t *testing.T) {
	good := sampleHeader(MsgFail)
	good.FailNode = strings.Repeat("e", 40)
	raw := good.Encode()
	_, err := PeekLength([]byte("XXXX\x00\x00\x10\x00"))
	assert.ErrorIs(t, err, ErrBadSignature)
	_, err = PeekLength([]byte("RCmb\x00\x00\x00\x10"))
	assert.ErrorIs(t, err, ErrBadSignature, "shorter than a header")
	bad := append([]byte(nil), raw...)
	binary.BigEndian.PutUint16(bad[8:], 2)
	_, err = Decode(bad)
	assert.ErrorIs(t, err, ErrBadVersion)
	// A FAIL with a byte too many: the length does not match the type.
	long := append(append([]byte(nil), raw...), 0)
	binary.BigEndian.PutUint32(long[4:], uint32(len(long)))
	_, err = Decode(long)
	assert.EqualError(t, err, "invalid fail packet of length 2297 but expected length 2296")
	// A PING whose extension is not padded to 8 bytes.
	ping := sampleHeader(MsgPing)
	ping.Extensions = []Extension{{Type: ExtHostname, Data: []byte("abc")}}
	_, err = Decode(ping.Encode())
	assert.EqualError(t, err, "ping packet without proper padding (11 bytes)")
	// A PUBLISH announcing more bytes than it carries.
	pub := sampleHeader(MsgPublish)
	pub.Channel, pub.Payload = []byte("c"), []byte("m")
	praw := pub.Encode()
	binary.BigEndian.PutUint32(praw[HeaderLen:], 1<<31)
	_, err = Decode(praw)
	assert.Error(t, err)
}

// FuzzDecode feeds arbitrary bytes to the decoder: it never panics, and
// what it accepts encodes back to the same bytes' meaning.
func FuzzDecode(f *testing.F) {
	for _, typ := range []uint16{MsgPing, MsgFail, MsgPublish, MsgUpdate, MsgModule, MsgMFStart} {
		m := sampleHeader(typ)
		if typ == MsgPing {
			m.Gossip = []Gossip{{Name: strings.Repeat("c", 40), IP: "127.0.0.1", Port: 1}}
			m.Extensions = []Extension{HostnameExtension("h")}
		}
		f.Add(m.Encode())
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "redis-meet.bin")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 8 {
			// The announced length is whatever the bytes say; make the
			// input whole so the type checks run.
			binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
		}
		m, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Decode(m.Encode())
		require.NoError(t, err)
		require.Equal(t, m.Type, again.Type)
		require.Equal(t, m.Sender, again.Sender)
		require.Equal(t, len(m.Gossip), len(again.Gossip))
		require.Equal(t, m.Channel, again.Channel)
	})
}

// TestMessagesFromRedis talks to a real redis-server 7.0 in cluster mode:
// it MEETs a fake node this test plays, whose listener captures the MEET
// and decodes it; the fake node then PINGs Redis's bus and decodes its
// PONG, and Redis must accept the fake node's messages (it shows the node
// as connected, with the slots the PONG claimed).
func TestMessagesFromRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	const redisPort, fakePort = 7850, 7851
	dir := t.TempDir()
	srv := exec.Command("redis-server", "--port", strconv.Itoa(redisPort), "--bind", "127.0.0.1", "--dir", dir,
		"--cluster-enabled", "yes", "--save", "", "--cluster-announce-hostname", "redis-host")
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(fakePort+PortIncr))
	require.NoError(t, err)
	defer ln.Close()
	var redisID string
	for deadline := time.Now().Add(10 * time.Second); ; {
		out, err := exec.Command("redis-cli", "-p", strconv.Itoa(redisPort), "cluster", "myid").Output()
		if err == nil {
			redisID = strings.TrimSpace(string(out))
			break
		}
		require.True(t, time.Now().Before(deadline), "redis-server did not start")
		time.Sleep(50 * time.Millisecond)
	}
	require.NoError(t, exec.Command("redis-cli", "-p", strconv.Itoa(redisPort), "cluster", "meet", "127.0.0.1", strconv.Itoa(fakePort)).Run())
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	conn, err := ln.Accept()
	require.NoError(t, err)
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	read := func(r io.Reader) []byte {
		head := make([]byte, 8)
		_, err := io.ReadFull(r, head)
		require.NoError(t, err)
		n, err := PeekLength(head)
		require.NoError(t, err)
		raw := make([]byte, n)
		copy(raw, head)
		_, err = io.ReadFull(r, raw[8:])
		require.NoError(t, err)
		return raw
	}
	raw := read(conn)
	meet, err := Decode(raw)
	require.NoError(t, err)
	assert.Equal(t, MsgMeet, meet.Type)
	assert.Equal(t, redisID, meet.Sender)
	assert.Equal(t, uint16(redisPort), meet.Port)
	assert.Equal(t, uint16(redisPort+PortIncr), meet.CPort)
	assert.Equal(t, FlagMyself|FlagMaster, meet.Flags)
	assert.Equal(t, "", meet.SlaveOf)
	require.Len(t, meet.Extensions, 1)
	assert.Equal(t, ExtHostname, meet.Extensions[0].Type)
	assert.Equal(t, "redis-host", meet.Extensions[0].Hostname())
	assert.Equal(t, raw, meet.Encode(), "re-encoding Redis's MEET gives its bytes")
	if os.Getenv("GOREDIS_UPDATE_TESTDATA") != "" {
		require.NoError(t, os.WriteFile(filepath.Join("testdata", "redis-meet.bin"), raw, 0o644))
	}
	// Answer as a node serving slots 0-99, then ping Redis's bus.
	fakeID := strings.Repeat("f", 40)
	pong := Message{Type: MsgPong, Port: fakePort, CPort: fakePort + PortIncr, Sender: fakeID, Flags: FlagMaster, ConfigEpoch: 1, CurrentEpoch: 1}
	for s := range 100 {
		pong.MySlots[s/8] |= 1 << (s % 8)
	}
	_, err = conn.Write(pong.Encode())
	require.NoError(t, err)
	bus, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(redisPort+PortIncr))
	require.NoError(t, err)
	defer bus.Close()
	_ = bus.SetDeadline(time.Now().Add(10 * time.Second))
	ping := pong
	ping.Type = MsgPing
	_, err = bus.Write(ping.Encode())
	require.NoError(t, err)
	reply, err := Decode(read(bus))
	require.NoError(t, err)
	assert.Equal(t, MsgPong, reply.Type)
	assert.Equal(t, redisID, reply.Sender)
	var nodes string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(redisPort), "cluster", "nodes").Output()
		nodes = string(out)
		if strings.Contains(nodes, fakeID+" 127.0.0.1:7851@17851 master - ") && strings.Contains(nodes, " connected 0-99") {
			break
		}
	}
	assert.Contains(t, nodes, fakeID+" 127.0.0.1:7851@17851 master - ")
	assert.Contains(t, nodes, " 1 connected 0-99\n")
	// The decoder reads Redis's real MEET bytes from the file as well.
	if data, err := os.ReadFile(filepath.Join("testdata", "redis-meet.bin")); err == nil {
		m, err := Decode(data)
		require.NoError(t, err)
		assert.Equal(t, MsgMeet, m.Type)
		assert.True(t, bytes.Equal(data, m.Encode()))
	}
}

// TestRedisMeetGolden decodes a MEET captured from redis-server 7.0.15
// (TestMessagesFromRedis with GOREDIS_UPDATE_TESTDATA=1 rewrites it).
func TestRedisMeetGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "redis-meet.bin"))
	require.NoError(t, err)
	m, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, MsgMeet, m.Type)
	assert.True(t, ValidName(m.Sender))
	assert.Equal(t, uint16(7850), m.Port)
	assert.Equal(t, uint16(17850), m.CPort)
	assert.Equal(t, FlagMyself|FlagMaster, m.Flags)
	assert.Empty(t, m.Gossip)
	require.Len(t, m.Extensions, 1)
	assert.Equal(t, "redis-host", m.Extensions[0].Hostname())
	assert.Equal(t, data, m.Encode())
}

func TestRandomNameIsAValidFreshName(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		name := RandomName()
		if !ValidName(name) || len(name) != NameLen {
			t.Fatalf("RandomName gave %q", name)
		}
		if seen[name] {
			t.Fatalf("RandomName repeated %q", name)
		}
		seen[name] = true
	}
}
