package cluster

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Bus message types (CLUSTERMSG_TYPE_*).
const (
	MsgPing uint16 = iota
	MsgPong
	MsgMeet
	MsgFail
	MsgPublish
	MsgFailoverAuthRequest
	MsgFailoverAuthAck
	MsgUpdate
	MsgMFStart
	MsgModule
	MsgPublishShard
	MsgTypeCount
)

// MsgTypeName is the name CLUSTER INFO and CLUSTER LINKS use for a type.
func MsgTypeName(t uint16) string {
	switch t {
	case MsgPing:
		return "ping"
	case MsgPong:
		return "pong"
	case MsgMeet:
		return "meet"
	case MsgFail:
		return "fail"
	case MsgPublish:
		return "publish"
	case MsgPublishShard:
		return "publishshard"
	case MsgFailoverAuthRequest:
		return "auth-req"
	case MsgFailoverAuthAck:
		return "auth-ack"
	case MsgUpdate:
		return "update"
	case MsgMFStart:
		return "mfstart"
	case MsgModule:
		return "module"
	}
	return "unknown"
}

// Message flags (mflags[0]).
const (
	MFlagPaused   byte = 1 << 0
	MFlagForceAck byte = 1 << 1
	MFlagExtData  byte = 1 << 2
)

// Ping extension types (7.0 knows the hostname; 7.2 added the others,
// which a 7.0 node logs and skips).
const (
	ExtHostname      uint16 = 0
	ExtHumanNodename uint16 = 1
	ExtForgottenNode uint16 = 2
	ExtShardID       uint16 = 3
)

// Wire layout of clusterMsg (cluster.h; its static_asserts pin the
// offsets).
const (
	ProtoVersion = 1
	ipLen        = 46 // NET_IP_STR_LEN
	HeaderLen    = 2256
	gossipLen    = NameLen + 4 + 4 + ipLen + 2 + 2 + 2 + 2 + 2 // 104
	failLen      = NameLen
	updateLen    = 8 + NameLen + Slots/8
	publishFixed = 8  // channel_len, message_len
	moduleFixed  = 13 // module_id, len, type
	extHeaderLen = 8

	offTotlen       = 4
	offVer          = 8
	offPort         = 10
	offType         = 12
	offCount        = 14
	offCurrentEpoch = 16
	offConfigEpoch  = 24
	offOffset       = 32
	offSender       = 40
	offMySlots      = 80
	offSlaveOf      = 2128
	offMyIP         = 2168
	offExtensions   = 2214
	offPPort        = 2246
	offCPort        = 2248
	offFlags        = 2250
	offState        = 2252
	offMFlags       = 2253
)

// MinLen is the least totlen a reader accepts before reading the rest
// (CLUSTERMSG_MIN_LEN).
const MinLen = HeaderLen

// Gossip is one entry of a PING/PONG/MEET gossip section.
type Gossip struct {
	Name         string
	PingSent     uint32 // unix seconds
	PongReceived uint32 // unix seconds
	IP           string
	Port, CPort  uint16
	Flags        NodeFlags
	PPort        uint16
}

// Extension is one ping extension: its type and its payload (without
// the 8-byte header, with its padding).
type Extension struct {
	Type uint16
	Data []byte
}

// Hostname is the text of a hostname extension (up to its first NUL).
func (e Extension) Hostname() string {
	if i := bytes.IndexByte(e.Data, 0); i >= 0 {
		return string(e.Data[:i])
	}
	return string(e.Data)
}

// HostnameExtension builds the hostname extension for name.
func HostnameExtension(name string) Extension {
	n := (len(name) + 1 + 7) / 8 * 8
	d := make([]byte, n)
	copy(d, name)
	return Extension{Type: ExtHostname, Data: d}
}

// Message is one cluster bus message, decoded.
type Message struct {
	Type         uint16
	Port         uint16 // sender's client port
	CurrentEpoch uint64
	ConfigEpoch  uint64
	Offset       uint64
	Sender       string
	MySlots      [Slots / 8]byte
	SlaveOf      string // "" for none (all zero bytes)
	MyIP         string // "" for none
	PPort, CPort uint16
	Flags        NodeFlags
	State        byte // 0 ok, 1 fail
	MFlags       [3]byte

	// PING, PONG, MEET
	Gossip     []Gossip
	Extensions []Extension
	// FAIL
	FailNode string
	// PUBLISH, PUBLISHSHARD
	Channel, Payload []byte
	// UPDATE
	UpdateConfigEpoch uint64
	UpdateNode        string
	UpdateSlots       [Slots / 8]byte
	// MODULE
	ModuleID      uint64
	ModuleType    uint8
	ModulePayload []byte
}

// Errors of Decode.
var (
	ErrBadSignature = errors.New("bad message length or signature")
	ErrBadVersion   = errors.New("unsupported cluster bus protocol version")
)

// cstring reads a NUL-padded fixed field.
func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// name reads a 40-byte node name; all zeros (CLUSTER_NODE_NULL_NAME) is "".
func name(b []byte) string {
	for _, c := range b {
		if c != 0 {
			return string(b)
		}
	}
	return ""
}

// PeekLength returns the total length announced by a message's first 8
// bytes, checking the signature and the minimum length as
// clusterReadHandler does.
func PeekLength(head []byte) (int, error) {
	if len(head) < 8 || string(head[:4]) != "RCmb" {
		return 0, ErrBadSignature
	}
	n := binary.BigEndian.Uint32(head[offTotlen:])
	if n < MinLen {
		return 0, ErrBadSignature
	}
	return int(n), nil
}

// Decode parses one whole message, with the checks of
// clusterProcessPacket: a wrong version or a length that does not match
// the type's layout is an error (Redis drops such a packet).
func Decode(b []byte) (*Message, error) {
	if _, err := PeekLength(b); err != nil {
		return nil, err
	}
	be := binary.BigEndian
	totlen := int(be.Uint32(b[offTotlen:]))
	if totlen != len(b) {
		return nil, fmt.Errorf("message of %d bytes announces %d", len(b), totlen)
	}
	if be.Uint16(b[offVer:]) != ProtoVersion {
		return nil, ErrBadVersion
	}
	m := &Message{
		Type:         be.Uint16(b[offType:]),
		Port:         be.Uint16(b[offPort:]),
		CurrentEpoch: be.Uint64(b[offCurrentEpoch:]),
		ConfigEpoch:  be.Uint64(b[offConfigEpoch:]),
		Offset:       be.Uint64(b[offOffset:]),
		Sender:       string(b[offSender : offSender+NameLen]),
		SlaveOf:      name(b[offSlaveOf : offSlaveOf+NameLen]),
		MyIP:         cstring(b[offMyIP : offMyIP+ipLen]),
		PPort:        be.Uint16(b[offPPort:]),
		CPort:        be.Uint16(b[offCPort:]),
		Flags:        NodeFlags(be.Uint16(b[offFlags:])),
		State:        b[offState],
	}
	copy(m.MySlots[:], b[offMySlots:])
	copy(m.MFlags[:], b[offMFlags:])
	count := int(be.Uint16(b[offCount:]))
	data := b[HeaderLen:]
	mismatch := func(explen int) error {
		return fmt.Errorf("invalid %s packet of length %d but expected length %d", MsgTypeName(m.Type), totlen, explen)
	}
	switch m.Type {
	case MsgPing, MsgPong, MsgMeet:
		explen := HeaderLen + gossipLen*count
		if explen > totlen {
			return nil, mismatch(explen)
		}
		m.Gossip = make([]Gossip, count)
		for i := range m.Gossip {
			g := data[i*gossipLen:]
			m.Gossip[i] = Gossip{
				Name:         string(g[:NameLen]),
				PingSent:     be.Uint32(g[40:]),
				PongReceived: be.Uint32(g[44:]),
				IP:           cstring(g[48 : 48+ipLen]),
				Port:         be.Uint16(g[94:]),
				CPort:        be.Uint16(g[96:]),
				Flags:        NodeFlags(be.Uint16(g[98:])),
				PPort:        be.Uint16(g[100:]),
			}
		}
		if m.MFlags[0]&MFlagExtData != 0 {
			for range int(be.Uint16(b[offExtensions:])) {
				if totlen-explen < extHeaderLen {
					return nil, fmt.Errorf("invalid %s packet with extension data that exceeds total packet length (%d)", MsgTypeName(m.Type), totlen)
				}
				ext := b[explen:]
				extlen := int(be.Uint32(ext))
				if extlen%8 != 0 || extlen < extHeaderLen {
					return nil, fmt.Errorf("%s packet without proper padding (%d bytes)", MsgTypeName(m.Type), extlen)
				}
				if totlen-explen < extlen {
					return nil, fmt.Errorf("invalid %s packet with extension data that exceeds total packet length (%d)", MsgTypeName(m.Type), totlen)
				}
				m.Extensions = append(m.Extensions, Extension{Type: be.Uint16(ext[4:]), Data: append([]byte(nil), ext[extHeaderLen:extlen]...)})
				explen += extlen
			}
		}
		if explen != totlen {
			return nil, mismatch(explen)
		}
	case MsgFail:
		if totlen != HeaderLen+failLen {
			return nil, mismatch(HeaderLen + failLen)
		}
		m.FailNode = string(data[:NameLen])
	case MsgPublish, MsgPublishShard:
		if totlen < HeaderLen+publishFixed {
			return nil, mismatch(HeaderLen + publishFixed)
		}
		cl, ml := uint64(be.Uint32(data)), uint64(be.Uint32(data[4:]))
		if explen := uint64(HeaderLen+publishFixed) + cl + ml; explen != uint64(totlen) {
			return nil, mismatch(int(min(explen, 1<<40)))
		}
		body := data[publishFixed:]
		m.Channel = append([]byte(nil), body[:cl]...)
		m.Payload = append([]byte(nil), body[cl:cl+ml]...)
	case MsgFailoverAuthRequest, MsgFailoverAuthAck, MsgMFStart:
		if totlen != HeaderLen {
			return nil, mismatch(HeaderLen)
		}
	case MsgUpdate:
		if totlen != HeaderLen+updateLen {
			return nil, mismatch(HeaderLen + updateLen)
		}
		m.UpdateConfigEpoch = be.Uint64(data)
		m.UpdateNode = string(data[8 : 8+NameLen])
		copy(m.UpdateSlots[:], data[8+NameLen:])
	case MsgModule:
		if totlen < HeaderLen+moduleFixed {
			return nil, mismatch(HeaderLen + moduleFixed)
		}
		l := uint64(be.Uint32(data[8:]))
		if explen := uint64(HeaderLen+moduleFixed) + l; explen != uint64(totlen) {
			return nil, mismatch(int(min(explen, 1<<40)))
		}
		m.ModuleID = be.Uint64(data)
		m.ModuleType = data[12]
		m.ModulePayload = append([]byte(nil), data[13:13+l]...)
	}
	return m, nil
}

// putFixed writes s into a fixed field of len(dst) bytes, NUL-padded
// (and, as strncpy of size-1, always NUL-terminated for IPs).
func putFixed(dst []byte, s string) { copy(dst, s) }

// Encode renders m in the wire format. Count, totlen, the extension count
// and the extension-data flag follow from the fields.
func (m *Message) Encode() []byte {
	be := binary.BigEndian
	size := HeaderLen
	switch m.Type {
	case MsgPing, MsgPong, MsgMeet:
		size += gossipLen * len(m.Gossip)
		for _, e := range m.Extensions {
			size += extHeaderLen + len(e.Data)
		}
	case MsgFail:
		size += failLen
	case MsgPublish, MsgPublishShard:
		size += publishFixed + len(m.Channel) + len(m.Payload)
	case MsgUpdate:
		size += updateLen
	case MsgModule:
		size += moduleFixed + len(m.ModulePayload)
	}
	b := make([]byte, size)
	copy(b, "RCmb")
	be.PutUint32(b[offTotlen:], uint32(size))
	be.PutUint16(b[offVer:], ProtoVersion)
	be.PutUint16(b[offPort:], m.Port)
	be.PutUint16(b[offType:], m.Type)
	be.PutUint64(b[offCurrentEpoch:], m.CurrentEpoch)
	be.PutUint64(b[offConfigEpoch:], m.ConfigEpoch)
	be.PutUint64(b[offOffset:], m.Offset)
	putFixed(b[offSender:offSender+NameLen], m.Sender)
	copy(b[offMySlots:], m.MySlots[:])
	putFixed(b[offSlaveOf:offSlaveOf+NameLen], m.SlaveOf)
	putFixed(b[offMyIP:offMyIP+ipLen-1], m.MyIP)
	be.PutUint16(b[offPPort:], m.PPort)
	be.PutUint16(b[offCPort:], m.CPort)
	be.PutUint16(b[offFlags:], uint16(m.Flags))
	b[offState] = m.State
	copy(b[offMFlags:], m.MFlags[:])
	data := b[HeaderLen:]
	switch m.Type {
	case MsgPing, MsgPong, MsgMeet:
		be.PutUint16(b[offCount:], uint16(len(m.Gossip)))
		for i, g := range m.Gossip {
			d := data[i*gossipLen:]
			putFixed(d[:NameLen], g.Name)
			be.PutUint32(d[40:], g.PingSent)
			be.PutUint32(d[44:], g.PongReceived)
			putFixed(d[48:48+ipLen-1], g.IP)
			be.PutUint16(d[94:], g.Port)
			be.PutUint16(d[96:], g.CPort)
			be.PutUint16(d[98:], uint16(g.Flags))
			be.PutUint16(d[100:], g.PPort)
		}
		if len(m.Extensions) > 0 {
			b[offMFlags] |= MFlagExtData
			be.PutUint16(b[offExtensions:], uint16(len(m.Extensions)))
			at := gossipLen * len(m.Gossip)
			for _, e := range m.Extensions {
				be.PutUint32(data[at:], uint32(extHeaderLen+len(e.Data)))
				be.PutUint16(data[at+4:], e.Type)
				copy(data[at+extHeaderLen:], e.Data)
				at += extHeaderLen + len(e.Data)
			}
		}
	case MsgFail:
		putFixed(data[:NameLen], m.FailNode)
	case MsgPublish, MsgPublishShard:
		be.PutUint32(data, uint32(len(m.Channel)))
		be.PutUint32(data[4:], uint32(len(m.Payload)))
		copy(data[8:], m.Channel)
		copy(data[8+len(m.Channel):], m.Payload)
	case MsgUpdate:
		be.PutUint64(data, m.UpdateConfigEpoch)
		putFixed(data[8:8+NameLen], m.UpdateNode)
		copy(data[8+NameLen:], m.UpdateSlots[:])
	case MsgModule:
		be.PutUint64(data, m.ModuleID)
		be.PutUint32(data[8:], uint32(len(m.ModulePayload)))
		data[12] = m.ModuleType
		copy(data[13:], m.ModulePayload)
	}
	return b
}
