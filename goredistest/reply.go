package goredistest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// parseReply reads one RESP2 reply, as the helpers' commands give them:
// simple strings, errors, integers, bulk strings and arrays of them.
func parseReply(b []byte) (any, error) {
	v, rest, err := parseOne(b)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("goredistest: %d bytes after the reply", len(rest))
	}
	if e, ok := v.(replyError); ok {
		return nil, errors.New(string(e))
	}
	return v, nil
}

type replyError string

var errShort = errors.New("goredistest: short reply")

func parseOne(b []byte) (any, []byte, error) {
	i := strings.Index(string(b), "\r\n")
	if len(b) == 0 || i < 0 {
		return nil, nil, errShort
	}
	line, rest := string(b[1:i]), b[i+2:]
	switch b[0] {
	case '+':
		return line, rest, nil
	case '-':
		return replyError(line), rest, nil
	case ':':
		n, err := strconv.ParseInt(line, 10, 64)
		return n, rest, err
	case '$':
		n, err := strconv.Atoi(line)
		if err != nil {
			return nil, nil, err
		}
		if n < 0 {
			return nil, rest, nil
		}
		if len(rest) < n+2 {
			return nil, nil, errShort
		}
		return string(rest[:n]), rest[n+2:], nil
	case '*':
		n, err := strconv.Atoi(line)
		if err != nil {
			return nil, nil, err
		}
		if n < 0 {
			return nil, rest, nil
		}
		items := make([]any, n)
		for k := range items {
			if items[k], rest, err = parseOne(rest); err != nil {
				return nil, nil, err
			}
		}
		return items, rest, nil
	}
	return nil, nil, fmt.Errorf("goredistest: unexpected reply %q", b)
}
