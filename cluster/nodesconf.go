package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/netserver/resp"
)

// flagsString renders flags as CLUSTER NODES does ("myself,master",
// "noflags").
func flagsString(f NodeFlags) string {
	var b []byte
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			if len(b) > 0 {
				b = append(b, ',')
			}
			b = append(b, fn.name...)
		}
	}
	if len(b) == 0 {
		return "noflags"
	}
	return string(b)
}

// appendNodeDescription appends n's CLUSTER NODES line (without the
// newline), as clusterGenNodeDescription writes it. ranges are n's slot
// ranges (SlotRanges).
func (st *State) appendNodeDescription(b []byte, n *Node, ranges []int) []byte {
	b = append(b, n.Name...)
	b = append(b, ' ')
	b = append(b, n.IP...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(n.Port), 10)
	b = append(b, '@')
	b = strconv.AppendInt(b, int64(n.CPort), 10)
	if n.Hostname != "" {
		b = append(b, ',')
		b = append(b, n.Hostname...)
	}
	b = append(b, ' ')
	b = append(b, flagsString(n.Flags)...)
	b = append(b, ' ')
	if n.Master != nil {
		b = append(b, n.Master.Name...)
	} else {
		b = append(b, '-')
	}
	epoch := n.ConfigEpoch
	if n.IsReplica() && n.Master != nil {
		epoch = n.Master.ConfigEpoch
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, n.PingSent, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, n.PongReceived, 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, epoch, 10)
	if n.Linked || n.Flags&FlagMyself != 0 {
		b = append(b, " connected"...)
	} else {
		b = append(b, " disconnected"...)
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(ranges[i]), 10)
		if ranges[i+1] != ranges[i] {
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(ranges[i+1]), 10)
		}
	}
	if n.Flags&FlagMyself != 0 {
		for j := range Slots {
			if m := st.MigratingTo[j]; m != nil {
				b = append(b, " ["...)
				b = strconv.AppendInt(b, int64(j), 10)
				b = append(b, "->-"...)
				b = append(b, m.Name...)
				b = append(b, ']')
			} else if m := st.ImportingFrom[j]; m != nil {
				b = append(b, " ["...)
				b = strconv.AppendInt(b, int64(j), 10)
				b = append(b, "-<-"...)
				b = append(b, m.Name...)
				b = append(b, ']')
			}
		}
	}
	return b
}

// NodeDescription is n's CLUSTER NODES line without the newline.
func (st *State) NodeDescription(n *Node) string {
	return string(st.appendNodeDescription(nil, n, st.SlotRanges(n)))
}

// slotRangesByNode computes every node's slot ranges in one pass.
func (st *State) slotRangesByNode() map[*Node][]int {
	out := map[*Node][]int{}
	var cur *Node
	start := 0
	for j := 0; j <= Slots; j++ {
		var n *Node
		if j < Slots {
			n = st.Slots[j]
		}
		if n != cur || j == Slots {
			if cur != nil {
				out[cur] = append(out[cur], start, j-1)
			}
			cur, start = n, j
		}
	}
	return out
}

// NodesDescription is CLUSTER NODES: one line per node, leaving out the
// nodes with any of the flags in filter.
func (st *State) NodesDescription(filter NodeFlags) string {
	ranges := st.slotRangesByNode()
	var b []byte
	for _, n := range st.order {
		if n.Flags&filter != 0 {
			continue
		}
		b = st.appendNodeDescription(b, n, ranges[n])
		b = append(b, '\n')
	}
	return string(b)
}

// ConfigFile is the content of nodes.conf: the nodes out of handshake and
// the vars line (clusterSaveConfig).
func (st *State) ConfigFile() []byte {
	s := st.NodesDescription(FlagHandshake)
	s += "vars currentEpoch " + strconv.FormatUint(st.CurrentEpoch, 10) +
		" lastVoteEpoch " + strconv.FormatUint(st.LastVoteEpoch, 10) + "\n"
	return []byte(s)
}

// ErrCorruptConfig is the error of LoadConfig for a file Redis would
// refuse ("Unrecoverable error: corrupted cluster config file.").
var ErrCorruptConfig = errors.New("corrupted cluster config file")

// LoadConfig parses a nodes.conf (clusterLoadConfig). now stamps the
// nodes' creation time and the ping/pong times the file says were set.
func LoadConfig(data []byte, now int64) (*State, error) {
	st := newState()
	lookupOrAdd := func(name string) *Node {
		n := st.nodes[name]
		if n == nil {
			n = st.newNode(name, 0, now)
			st.AddNode(n)
		}
		return n
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" {
			continue
		}
		argv, ok := resp.SplitArgs(line)
		if !ok {
			return nil, ErrCorruptConfig
		}
		if len(argv) == 0 {
			continue
		}
		if strings.EqualFold(argv[0], "vars") {
			if len(argv)%2 == 0 {
				return nil, ErrCorruptConfig
			}
			for j := 1; j < len(argv); j += 2 {
				v, _ := strconv.ParseUint(argv[j+1], 10, 64)
				switch strings.ToLower(argv[j]) {
				case "currentepoch":
					st.CurrentEpoch = v
				case "lastvoteepoch":
					st.LastVoteEpoch = v
				default:
					st.logf('#', "Skipping unknown cluster config variable '"+argv[j]+"'")
				}
			}
			continue
		}
		if len(argv) < 8 || !ValidName(argv[0]) {
			return nil, ErrCorruptConfig
		}
		n := lookupOrAdd(argv[0])
		addr := argv[1]
		n.Hostname = ""
		if i := strings.IndexByte(addr, ','); i >= 0 {
			n.Hostname = addr[i+1:]
			addr = addr[:i]
		}
		colon := strings.LastIndexByte(addr, ':')
		if colon < 0 {
			return nil, ErrCorruptConfig
		}
		n.IP = addr[:colon]
		port, bus, hasBus := strings.Cut(addr[colon+1:], "@")
		n.Port = atoi(port)
		if hasBus {
			n.CPort = atoi(bus)
		} else {
			n.CPort = n.Port + PortIncr
		}
		for _, f := range strings.Split(argv[2], ",") {
			switch strings.ToLower(f) {
			case "myself":
				if st.Myself != nil {
					return nil, ErrCorruptConfig
				}
				st.Myself = n
				n.Flags |= FlagMyself
			case "master":
				n.Flags |= FlagMaster
			case "slave":
				n.Flags |= FlagSlave
			case "fail?":
				n.Flags |= FlagPFail
			case "fail":
				n.Flags |= FlagFail
				n.FailTime = now
			case "handshake":
				n.Flags |= FlagHandshake
			case "noaddr":
				n.Flags |= FlagNoAddr
			case "nofailover":
				n.Flags |= FlagNoFailover
			case "noflags":
			default:
				return nil, ErrCorruptConfig
			}
		}
		if argv[3] != "-" {
			if !ValidName(argv[3]) {
				return nil, ErrCorruptConfig
			}
			m := lookupOrAdd(argv[3])
			n.Master = m
			m.addReplica(n)
		}
		if atoi(argv[4]) != 0 {
			n.PingSent = now
		}
		if atoi(argv[5]) != 0 {
			n.PongReceived = now
		}
		if n.IsReplica() && n.Master != nil {
			n.ConfigEpoch = 0
		} else {
			n.ConfigEpoch, _ = strconv.ParseUint(argv[6], 10, 64)
		}
		for _, a := range argv[8:] {
			if strings.HasPrefix(a, "[") {
				num, rest, ok := strings.Cut(a[1:], "-")
				if !ok || len(rest) < 2 {
					return nil, ErrCorruptConfig
				}
				slot := atoi(num)
				dir := rest[0]
				id, ok := strings.CutSuffix(rest[2:], "]")
				if slot < 0 || slot >= Slots || !ok || !ValidName(id) {
					return nil, ErrCorruptConfig
				}
				other := lookupOrAdd(id)
				if dir == '>' {
					st.MigratingTo[slot] = other
				} else {
					st.ImportingFrom[slot] = other
				}
				continue
			}
			lo, hi, isRange := strings.Cut(a, "-")
			start := atoi(lo)
			stop := start
			if isRange {
				stop = atoi(hi)
			}
			if start < 0 || start >= Slots || stop < 0 || stop >= Slots {
				return nil, ErrCorruptConfig
			}
			for ; start <= stop; start++ {
				st.AddSlot(n, start)
			}
		}
	}
	if st.Myself == nil {
		return nil, ErrCorruptConfig
	}
	if m := st.MaxEpoch(); m > st.CurrentEpoch {
		st.CurrentEpoch = m
	}
	return st, nil
}

// atoi is C's atoi: the leading decimal digits, 0 when none.
func atoi(s string) int {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			break
		}
	}
	if neg {
		return -n
	}
	return n
}

// WriteConfigFile replaces path with data atomically: a temporary file in
// the same directory is written, synced and renamed over it, so a crash
// leaves the old file or the new one, never a mix.
func WriteConfigFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
