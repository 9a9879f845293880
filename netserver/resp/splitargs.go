package resp

// splitArgs splits an inline command line as Redis's sdssplitargs does:
// blanks (C isspace) separate arguments, but an unquoted word ends only at
// ' ', '\n', '\r', '\t' or the end (so "a\vb" is one word); a quote inside
// a word starts a quoted part (a"b c" is "ab c"). "Double quotes" allow
// \n \r \t \b \a, any other escaped byte and \xHH; 'single quotes' allow
// only \'. A closing quote must be followed by a blank or the end. The
// line holds no NUL: the reader never hands one over, as Redis's strchr
// stops there. Plain words are slices of line; the rest are copies.
func splitArgs(line []byte, dst [][]byte) ([][]byte, bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return dst, true
		}
		// fast path: a word with no quotes is a slice of line
		start := i
		for i < len(line) && !endsWord(line[i]) && line[i] != '"' && line[i] != '\'' {
			i++
		}
		if i == len(line) || endsWord(line[i]) {
			dst = append(dst, line[start:i:i])
			continue
		}
		cur := append([]byte{}, line[start:i]...)
		inDQ, inSQ := false, false
		for done := false; !done; {
			switch {
			case inDQ:
				if i >= len(line) {
					return nil, false // unterminated quotes
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					cur = append(cur, hexVal(line[i+2])<<4|hexVal(line[i+3]))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					switch line[i] {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'b':
						c = '\b'
					case 'a':
						c = '\a'
					default:
						c = line[i]
					}
					cur = append(cur, c)
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, c)
				}
			case inSQ:
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, c)
				}
			default:
				if i >= len(line) || endsWord(line[i]) {
					done = true
					break
				}
				switch line[i] {
				case '"':
					inDQ = true
				case '\'':
					inSQ = true
				default:
					cur = append(cur, line[i])
				}
			}
			if i < len(line) {
				i++
			}
		}
		dst = append(dst, cur)
	}
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

// endsWord lists the bytes that end an unquoted word in sdssplitargs.
func endsWord(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// SplitArgs splits a line as Redis's sdssplitargs does (inline commands,
// redis.conf lines, redis-cli input); ok is false on unbalanced quotes.
func SplitArgs(line string) (args []string, ok bool) {
	parts, ok := splitArgs([]byte(line), nil)
	if !ok {
		return nil, false
	}
	args = make([]string, len(parts))
	for i, p := range parts {
		args[i] = string(p)
	}
	return args, true
}
