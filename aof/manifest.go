package aof

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/netserver/resp"
	"github.com/goredis-dev/goredis/redisconf"
)

// FileType is the kind of a file listed in the manifest.
type FileType byte

// The three kinds of files of Redis 7.0's multi-part AOF.
const (
	TypeBase    FileType = 'b' // the base: a snapshot (RDB or AOF format)
	TypeHistory FileType = 'h' // replaced by a rewrite, to be deleted
	TypeIncr    FileType = 'i' // commands appended after the base
)

// FileInfo is one line of the manifest.
type FileInfo struct {
	Name string
	Seq  int64
	Type FileType
}

// Manifest lists the files of an append-only directory, as Redis's
// aofManifest: at most one base, history files, and incr files in
// increasing sequence.
type Manifest struct {
	Base    *FileInfo
	History []FileInfo
	Incr    []FileInfo
	// BaseSeq and IncrSeq are the sequence numbers last used.
	BaseSeq, IncrSeq int64
}

// File name parts, as Redis names them: appendonly.aof.1.base.rdb,
// appendonly.aof.3.incr.aof, appendonly.aof.manifest.
const (
	baseSuffix     = ".base"
	incrSuffix     = ".incr"
	rdbSuffix      = ".rdb"
	aofSuffix      = ".aof"
	manifestSuffix = ".manifest"
	tempPrefix     = "temp-"
	manifestMaxLen = 1024
)

// ManifestError is a manifest Redis would refuse, with its words.
type ManifestError struct {
	Line    int    // 1-based; 0 when no line is at fault
	Text    string // the line, trimmed
	Message string
}

func (e *ManifestError) Error() string { return e.Message }

// ParseManifest reads a manifest as Redis's aofLoadManifestFromFile does,
// with the same checks and messages.
func ParseManifest(data []byte) (*Manifest, error) {
	m := &Manifest{}
	var maxSeq int64
	lineNo := 0
	fail := func(line, msg string) (*Manifest, error) {
		return nil, &ManifestError{Line: lineNo, Text: line, Message: msg}
	}
	rest := data
	for {
		if len(rest) == 0 {
			if lineNo == 0 {
				return fail("", "Found an empty AOF manifest")
			}
			break
		}
		// fgets reads up to 1024 bytes at a time.
		limit := min(len(rest), manifestMaxLen)
		raw := rest[:limit]
		nl := bytes.IndexByte(raw, '\n')
		if nl >= 0 {
			raw = raw[:nl+1]
		}
		rest = rest[len(raw):]
		lineNo++
		if raw[0] == '#' {
			continue
		}
		if nl < 0 {
			return fail("", "The AOF manifest file contains too long line")
		}
		line := strings.Trim(string(raw), " \t\r\n")
		if line == "" {
			return fail(line, "Invalid AOF manifest file format")
		}
		argv, ok := resp.SplitArgs(line)
		if !ok || len(argv) < 6 || len(argv)%2 != 0 {
			return fail(line, "Invalid AOF manifest file format")
		}
		var fi FileInfo
		for i := 0; i < len(argv); i += 2 {
			switch strings.ToLower(argv[i]) {
			case "file":
				fi.Name = argv[i+1]
				if strings.ContainsAny(fi.Name, "/\\") {
					return fail(line, "File can't be a path, just a filename")
				}
			case "seq":
				fi.Seq = atoll(argv[i+1])
			case "type":
				if argv[i+1] != "" {
					fi.Type = FileType(argv[i+1][0])
				}
			}
		}
		if fi.Name == "" || fi.Seq == 0 || fi.Type == 0 {
			return fail(line, "Invalid AOF manifest file format")
		}
		switch fi.Type {
		case TypeBase:
			if m.Base != nil {
				return fail(line, "Found duplicate base file information")
			}
			b := fi
			m.Base = &b
			m.BaseSeq = fi.Seq
		case TypeHistory:
			m.History = append(m.History, fi)
		case TypeIncr:
			if fi.Seq <= maxSeq {
				return fail(line, "Found a non-monotonic sequence number")
			}
			m.Incr = append(m.Incr, fi)
			m.IncrSeq = fi.Seq
			maxSeq = fi.Seq
		default:
			return fail(line, "Unknown AOF file type")
		}
	}
	return m, nil
}

// atoll is C's atoll: leading digits with an optional sign, else 0.
func atoll(s string) int64 {
	s = strings.TrimLeft(s, " \t")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

// Bytes is the manifest as Redis writes it: base, then history, then
// incr files, one "file NAME seq N type T" line each.
func (m *Manifest) Bytes() []byte {
	var b bytes.Buffer
	line := func(fi FileInfo) {
		fmt.Fprintf(&b, "file %s seq %d type %c\n", reprIfNeeded(fi.Name), fi.Seq, fi.Type)
	}
	if m.Base != nil {
		line(*m.Base)
	}
	for _, fi := range m.History {
		line(fi)
	}
	for _, fi := range m.Incr {
		line(fi)
	}
	return b.Bytes()
}

// clone is a deep copy, changed and then swapped in atomically as Redis
// does with aofManifestDup.
func (m *Manifest) clone() *Manifest {
	c := *m
	if m.Base != nil {
		b := *m.Base
		c.Base = &b
	}
	c.History = append([]FileInfo(nil), m.History...)
	c.Incr = append([]FileInfo(nil), m.Incr...)
	return &c
}

// newBase names the next base file and turns the current one into
// history (Redis's getNewBaseFileNameAndMarkPreAsHistory).
func (m *Manifest) newBase(filename string, rdb bool) string {
	if m.Base != nil {
		old := *m.Base
		old.Type = TypeHistory
		m.History = append([]FileInfo{old}, m.History...)
	}
	suffix := aofSuffix
	if rdb {
		suffix = rdbSuffix
	}
	m.BaseSeq++
	m.Base = &FileInfo{Name: filename + "." + strconv.FormatInt(m.BaseSeq, 10) + baseSuffix + suffix, Seq: m.BaseSeq, Type: TypeBase}
	return m.Base.Name
}

// newIncr names the next incr file and lists it (getNewIncrAofName).
func (m *Manifest) newIncr(filename string) string {
	m.IncrSeq++
	fi := FileInfo{Name: filename + "." + strconv.FormatInt(m.IncrSeq, 10) + incrSuffix + aofSuffix, Seq: m.IncrSeq, Type: TypeIncr}
	m.Incr = append(m.Incr, fi)
	return fi.Name
}

// lastIncr is the incr file to append to, a new one if there is none.
func (m *Manifest) lastIncr(filename string) string {
	if len(m.Incr) == 0 {
		return m.newIncr(filename)
	}
	return m.Incr[len(m.Incr)-1].Name
}

// incrToHistory turns the incr files a rewrite covered into history: all
// but the one being written when keepLast (markRewrittenIncrAofAsHistory).
func (m *Manifest) incrToHistory(keepLast bool) {
	n := len(m.Incr)
	if keepLast && n > 0 {
		n--
	}
	// Redis walks from the tail and adds each at the head of history.
	for i := n - 1; i >= 0; i-- {
		fi := m.Incr[i]
		fi.Type = TypeHistory
		m.History = append([]FileInfo{fi}, m.History...)
	}
	m.Incr = append([]FileInfo(nil), m.Incr[n:]...)
}

// reprIfNeeded quotes a file name as Redis's sdscatrepr when it holds
// bytes that sdssplitargs would not read back as they are.
func reprIfNeeded(s string) string {
	need := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	// Redis writes it with sdscatrepr.
	return redisconf.Repr(s)
}
