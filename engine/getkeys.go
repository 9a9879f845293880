package engine

// Finding the keys of a command line, once for every use: the ACL check,
// cluster routing, client-side caching (tracking) and COMMAND GETKEYS all
// walk the same way, Redis's getKeysFromCommandWithSpecs: the key specs
// when they are complete and their flags fixed, else the command's own key
// finder (SORT and SORT_RO, MIGRATE, SET, BITFIELD).

// keyFlags are a key's key-spec flags (Redis's CMD_KEY_*), in the order
// Redis prints them.
type keyFlags uint16

const (
	keyRO keyFlags = 1 << iota
	keyRW
	keyOW
	keyRM
	keyAccess
	keyUpdate
	keyInsert
	keyDelete
	keyNotKey
	keyIncomplete
	keyVariableFlags
)

var keyFlagNames = [...]string{"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"}

// names lists the flags as COMMAND GETKEYSANDFLAGS prints them.
func (f keyFlags) names() []string {
	var out []string
	for i, n := range keyFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// writes reports whether the key's data is changed (the ACL's write
// permission).
func (f keyFlags) writes() bool { return f&(keyInsert|keyUpdate|keyDelete) != 0 }

// specKeyFlags reads a key spec's flags.
func specKeyFlags(ks *KeySpec) keyFlags {
	var f keyFlags
	for _, name := range ks.Flags {
		for i, n := range keyFlagNames {
			if equalFoldString([]byte(name), n) {
				f |= 1 << i
				break
			}
		}
	}
	return f
}

// keySpecFlags is key spec i's flags: worked out once when the table is
// built, read from the spec for a command made outside it (tests).
func (c *Command) keySpecFlags(i int) keyFlags {
	if c.specFlags != nil {
		return c.specFlags[i]
	}
	return specKeyFlags(&c.KeySpecs[i])
}

// keyRef is one key of a command line: its argument position and flags.
type keyRef struct {
	pos   int
	flags keyFlags
}

// getKeys appends the keys of argv (the command line, argv[0] the command
// name) to out, as Redis's getKeysFromCommandWithSpecs does: none when the
// arguments do not fit (the command itself reports the error).
func getKeys(cmd *Command, argv [][]byte, out []keyRef) []keyRef {
	hasKeys, varFlags := false, false
	for i := range cmd.KeySpecs {
		f := cmd.keySpecFlags(i)
		hasKeys = hasKeys || f&keyNotKey == 0
		varFlags = varFlags || f&keyVariableFlags != 0
	}
	if hasKeys && !varFlags {
		if keys, ok := keysUsingSpecs(cmd, argv, out); ok {
			return keys
		}
	}
	switch cmd.Name {
	case "sort":
		return sortGetKeys(argv, out)
	case "sort_ro":
		return append(out, keyRef{1, keyRO | keyAccess}) // sortROGetKeys
	case "migrate":
		return migrateGetKeys(argv, out)
	case "set":
		return setGetKeys(argv, out)
	case "bitfield":
		return bitfieldGetKeys(argv, out)
	}
	// Redis's other key finders compute what the specs do, and fail where
	// they fail.
	return out
}

// keysUsingSpecs is getKeysUsingKeySpecs: ok is false when a spec does
// not fit the arguments or is incomplete (out is then as given).
func keysUsingSpecs(cmd *Command, argv [][]byte, out []keyRef) ([]keyRef, bool) {
	argc := len(argv)
	start := len(out)
	for si := range cmd.KeySpecs {
		ks := &cmd.KeySpecs[si]
		flags := cmd.keySpecFlags(si)
		if flags&keyNotKey != 0 {
			continue
		}
		first := 0
		switch ks.BeginSearch {
		case "index":
			first = ks.BSIndex
		case "keyword":
			from, end := ks.BSStartFrom, argc-1
			if ks.BSStartFrom <= 0 {
				from, end = argc+ks.BSStartFrom, 1
			}
			for i := from; i != end; {
				if i >= argc || i < 1 {
					break
				}
				if equalFoldString(argv[i], ks.BSKeyword) {
					first = i + 1
					break
				}
				if from <= end {
					i++
				} else {
					i--
				}
			}
			if first == 0 {
				continue // keyword not found: no keys from this spec
			}
		default:
			return out[:start], false
		}
		var last, step int
		switch ks.FindKeys {
		case "range":
			step = ks.FKKeyStep
			switch {
			case ks.FKLastKey >= 0:
				last = first + ks.FKLastKey
			case ks.FKLimit == 0:
				last = argc + ks.FKLastKey
			default:
				last = first + (argc-first)/ks.FKLimit + ks.FKLastKey
			}
		case "keynum":
			step = ks.FKNumKeyStep
			if ks.FKKeyNumIdx >= argc || first+ks.FKKeyNumIdx >= argc {
				return out[:start], false
			}
			n, isInt := parseInt(argv[first+ks.FKKeyNumIdx])
			if !isInt || n < 0 || n > int64(argc) {
				return out[:start], false
			}
			first += ks.FKFirstKey
			last = first + int(n) - 1
		default:
			return out[:start], false
		}
		// First or last out of bounds: a syntax error.
		if last >= argc || last < first || first >= argc || step <= 0 {
			return out[:start], false
		}
		for i := first; i <= last; i += step {
			out = append(out, keyRef{i, flags})
		}
		if flags&keyIncomplete != 0 {
			return out[:start], false
		}
	}
	return out, true
}

// sortGetKeys is Redis's: the sorted key, and the STORE destination.
func sortGetKeys(argv [][]byte, out []keyRef) []keyRef {
	out = append(out, keyRef{1, keyRO | keyAccess})
	store := 0
	for i := 2; i < len(argv); i++ {
		switch {
		case equalFold(argv[i], "limit"):
			i += 2
		case equalFold(argv[i], "get"), equalFold(argv[i], "by"):
			i++
		case equalFold(argv[i], "store") && i+1 < len(argv):
			store = i + 1
		}
	}
	if store != 0 {
		out = append(out, keyRef{store, keyOW | keyUpdate})
	}
	return out
}

// migrateGetKeys is Redis's: the key argument, or with KEYS (and an empty
// key argument) the keys after it.
func migrateGetKeys(argv [][]byte, out []keyRef) []keyRef {
	first, num := 3, 1
	if len(argv) > 6 {
		for i := 6; i < len(argv); i++ {
			a := argv[i]
			if equalFold(a, "keys") {
				if len(argv[3]) > 0 {
					num = 0 // a syntax error MIGRATE reports
				} else {
					first, num = i+1, len(argv)-i-1
				}
				break
			}
			switch {
			case equalFold(a, "auth"):
				i++
			case equalFold(a, "auth2"):
				i += 2
			}
		}
	}
	for i := first; i < first+num; i++ {
		out = append(out, keyRef{i, keyRW | keyAccess | keyDelete})
	}
	return out
}

// setGetKeys is Redis's: with GET the key is read too, else only
// overwritten.
func setGetKeys(argv [][]byte, out []keyRef) []keyRef {
	if setHasGet(argv) {
		return append(out, keyRef{1, keyRW | keyAccess | keyUpdate})
	}
	return append(out, keyRef{1, keyOW | keyUpdate})
}

func setHasGet(args [][]byte) bool {
	for _, a := range args[min(3, len(args)):] {
		if equalFold(a, "get") {
			return true
		}
	}
	return false
}

// bitfieldGetKeys is Redis's: read-only when every operation is a GET
// (an unparsable one counts as a write).
func bitfieldGetKeys(argv [][]byte, out []keyRef) []keyRef {
	readonly := true
	for i := 2; i < len(argv); i++ {
		rem := len(argv) - i - 1
		a := argv[i]
		switch {
		case equalFold(a, "get") && rem >= 2:
			i += 2
			continue
		case (equalFold(a, "set") || equalFold(a, "incrby")) && rem >= 3:
			readonly = false
		case equalFold(a, "overflow") && rem >= 1:
			i++
			continue
		default:
			readonly = false
		}
		break
	}
	if readonly {
		return append(out, keyRef{1, keyRO | keyAccess})
	}
	return append(out, keyRef{1, keyRW | keyAccess | keyUpdate})
}
