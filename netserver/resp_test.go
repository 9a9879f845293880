package netserver

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// reply is one parsed RESP2/RESP3 reply, kept with its exact bytes.
type reply struct {
	typ   byte
	line  string  // simple types: the text; bulk types: the payload
	null  bool    // $-1 or *-1
	elems []reply // aggregates (maps: key, value, key, value...)
	raw   []byte
}

// readReply reads exactly one reply (attributes included in raw).
func readReply(br *bufio.Reader) (reply, error) {
	var raw bytes.Buffer
	r, err := readReplyInto(br, &raw)
	r.raw = raw.Bytes()
	return r, err
}

func readReplyInto(br *bufio.Reader, raw *bytes.Buffer) (reply, error) {
	l, err := br.ReadString('\n')
	raw.WriteString(l)
	if err != nil {
		return reply{}, err
	}
	if len(l) < 3 || l[len(l)-2] != '\r' {
		return reply{}, fmt.Errorf("bad reply line %q", l)
	}
	typ, text := l[0], l[1:len(l)-2]
	switch typ {
	case '+', '-', ':', '_', ',', '#', '(':
		return reply{typ: typ, line: text}, nil
	case '$', '!', '=':
		n, err := strconv.Atoi(text)
		if err != nil {
			return reply{}, fmt.Errorf("bad length %q", l)
		}
		if n < 0 {
			return reply{typ: typ, null: true}, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return reply{}, err
		}
		raw.Write(buf)
		return reply{typ: typ, line: string(buf[:n])}, nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(text)
		if err != nil {
			return reply{}, fmt.Errorf("bad count %q", l)
		}
		if n < 0 {
			return reply{typ: typ, null: true}, nil
		}
		if typ == '%' || typ == '|' {
			n *= 2
		}
		r := reply{typ: typ}
		for range n {
			e, err := readReplyInto(br, raw)
			if err != nil {
				return reply{}, err
			}
			r.elems = append(r.elems, e)
		}
		if typ == '|' { // an attribute precedes the real reply
			return readReplyInto(br, raw)
		}
		return r, nil
	}
	return reply{}, fmt.Errorf("unknown reply type %q", l)
}

// canon renders a reply as text; unordered sorts the elements of arrays
// and sets (and the pairs of maps) at every level.
func (r reply) canon(unordered bool) string {
	if r.null {
		return string(r.typ) + "null"
	}
	if r.elems == nil && r.typ != '*' && r.typ != '~' && r.typ != '>' && r.typ != '%' {
		return string(r.typ) + strconv.Quote(r.line)
	}
	var parts []string
	if r.typ == '%' {
		for i := 0; i+1 < len(r.elems); i += 2 {
			parts = append(parts, r.elems[i].canon(unordered)+"=>"+r.elems[i+1].canon(unordered))
		}
	} else {
		for _, e := range r.elems {
			parts = append(parts, e.canon(unordered))
		}
	}
	if unordered {
		sort.Strings(parts)
	}
	var b bytes.Buffer
	b.WriteByte(r.typ)
	b.WriteByte('[')
	for i, p := range parts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p)
	}
	b.WriteByte(']')
	return b.String()
}

// mask replaces the value following each named key in a map (or a flat
// key/value array, as RESP2 HELLO gives) with "<masked>", at every level
// (HELLO inside EXEC).
func (r reply) mask(fields []string) reply {
	out := r
	out.elems = append([]reply(nil), r.elems...)
	for i, e := range out.elems {
		if e.elems != nil {
			out.elems[i] = e.mask(fields)
		}
	}
	for i := 0; i+1 < len(out.elems); i += 2 {
		for _, f := range fields {
			if out.elems[i].line == f {
				out.elems[i+1] = reply{typ: '+', line: "<masked>"}
			}
		}
	}
	return out
}
