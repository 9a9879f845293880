package engine

func keyHandlers() []handlerEntry {
	return []handlerEntry{
		{"del", cmdDel},
		{"exists", cmdExists},
	}
}

// DEL key [key ...]
func cmdDel(s *Session, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if s.exists(k) && s.deleteKey(k) {
			s.notifyEvent(notifyGeneric, "del", k)
			n++
		}
	}
	s.w.Int(n)
}

// EXISTS key [key ...]
func cmdExists(s *Session, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if s.exists(k) {
			n++
		}
	}
	s.w.Int(n)
}
