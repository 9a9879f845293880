package netserver

// splitArgs splits an inline command line as Redis's sdssplitargs does:
// spaces separate arguments; "double quotes" allow \n \r \t \b \a \\ \"
// and \xHH escapes; 'single quotes' allow only \'. A closing quote must be
// followed by a space or the end. Arguments that need unescaping are
// copied; the rest are slices of line.
func splitArgs(line []byte, dst [][]byte) ([][]byte, bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return dst, true
		}
		if line[i] != '"' && line[i] != '\'' {
			start := i
			for i < len(line) && !isSpace(line[i]) && line[i] != '"' && line[i] != '\'' {
				i++
			}
			if i < len(line) && !isSpace(line[i]) {
				// a quote inside a word: fall back to the general path
				i = start
			} else {
				dst = append(dst, line[start:i:i])
				continue
			}
		}
		var cur []byte
		inDQ, inSQ := false, false
		for {
			if inDQ {
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				if c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]) {
					cur = append(cur, hexVal(line[i+2])<<4|hexVal(line[i+3]))
					i += 4
					continue
				}
				if c == '\\' && i+1 < len(line) {
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
					i++
					continue
				}
				if c == '"' {
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					i++
					break
				}
				cur = append(cur, c)
				i++
				continue
			}
			if inSQ {
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					cur = append(cur, '\'')
					i += 2
					continue
				}
				if c == '\'' {
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					i++
					break
				}
				cur = append(cur, c)
				i++
				continue
			}
			if i >= len(line) || isSpace(line[i]) {
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
			i++
		}
		if cur == nil {
			cur = []byte{}
		}
		dst = append(dst, cur)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
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
