package aof

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Reader reads the commands of an AOF file (the REPL format: RESP arrays
// of bulk strings, with '#' annotation lines) as Redis's
// loadSingleAppendOnlyFile does, including its leniency: numbers are read
// as atoi/strtol read them and the CRLF after an argument is skipped
// unchecked. Lengths from the file are never trusted for allocation: an
// argument grows as its bytes arrive, so a hostile length costs no memory
// beyond the file.
type Reader struct {
	r   *bufio.Reader
	off int64 // bytes consumed
}

// ErrFormat is a file that is not in the AOF format (Redis's fmterr).
var ErrFormat = errors.New("bad file format")

// ErrTruncated is a file that ends in the middle of a command (Redis's
// unexpected end of file).
var ErrTruncated = errors.New("unexpected end of file")

// annotationMax is Redis's AOF_ANNOTATION_LINE_MAX_LEN: fgets reads
// lines in pieces of this size.
const annotationMax = 1024

// NewReader reads commands from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64*1024)}
}

// Offset is the number of bytes read so far: after Next returned a
// command, the offset just past it.
func (r *Reader) Offset() int64 { return r.off }

// line reads like fgets into a buffer of annotationMax bytes: up to and
// including '\n', or annotationMax-1 bytes. io.EOF when nothing is left.
func (r *Reader) line() ([]byte, error) {
	var out []byte
	for len(out) < annotationMax-1 {
		c, err := r.r.ReadByte()
		if err != nil {
			if len(out) == 0 {
				return nil, err
			}
			return out, nil
		}
		r.off++
		out = append(out, c)
		if c == '\n' {
			break
		}
	}
	return out, nil
}

// Next returns the next command. At the clean end of the file it returns
// io.EOF; a file cut inside a command gives ErrTruncated; bytes that are
// not a command give ErrFormat.
func (r *Reader) Next() ([][]byte, error) {
	for {
		buf, err := r.line()
		if err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, err
		}
		if buf[0] == '#' {
			// An annotation (#TS:...): skipped, as Redis skips it.
			if buf[len(buf)-1] != '\n' {
				// fgets would read the rest as the next line.
				continue
			}
			continue
		}
		if buf[0] != '*' {
			return nil, ErrFormat
		}
		if len(buf) == 1 {
			// "*" alone at the end of the file: a read error in Redis,
			// which is an unexpected EOF.
			return nil, ErrTruncated
		}
		argc := atoi(buf[1:])
		if argc < 1 {
			return nil, ErrFormat
		}
		args := make([][]byte, 0, min(argc, 1024))
		for j := 0; j < argc; j++ {
			hdr, err := r.line()
			if err == io.EOF {
				return nil, ErrTruncated
			}
			if err != nil {
				return nil, err
			}
			if hdr[0] != '$' {
				return nil, ErrFormat
			}
			n := strtol(hdr[1:])
			arg, err := r.bulk(n)
			if err != nil {
				return nil, err
			}
			args = append(args, arg)
		}
		return args, nil
	}
}

// bulk reads an argument of n bytes (as C converts a negative strtol
// result to unsigned long: huge) and the two bytes after it.
func (r *Reader) bulk(n int64) ([]byte, error) {
	var arg []byte
	if n != 0 {
		var b bytes.Buffer
		want := n
		if n < 0 {
			want = 1<<63 - 1 // as unsigned: never satisfied by a real file
		}
		got, err := io.CopyN(&b, r.r, want)
		r.off += got
		if err != nil {
			if err == io.EOF {
				return nil, ErrTruncated
			}
			return nil, err
		}
		arg = b.Bytes()
	} else {
		arg = []byte{}
	}
	var crlf [2]byte
	m, err := io.ReadFull(r.r, crlf[:])
	r.off += int64(m)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, ErrTruncated
		}
		return nil, err
	}
	return arg, nil
}

// atoi is C's atoi on a line: leading spaces, a sign, digits.
func atoi(b []byte) int {
	n := strtol(b)
	if n > 1<<31-1 || n < -1<<31 {
		// atoi's int overflows; Redis then sees a garbage count. Treat
		// an impossible count as a format error by making it negative.
		return -1
	}
	return int(n)
}

// strtol parses a leading decimal integer, saturating as strtol does.
func strtol(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == start {
		return 0
	}
	n, err := strconv.ParseInt(string(b[start:i]), 10, 64)
	if err != nil {
		n = 1<<63 - 1
		if neg {
			return -1 << 63
		}
	}
	if neg {
		return -n
	}
	return n
}
