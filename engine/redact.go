package engine

// redactedArg reports whether argument i of a command is a secret the
// slow log and MONITOR show as "(redacted)", where Redis's handlers call
// redactClientCommandArgument: every rule of ACL SETUSER, AUTH's
// credentials, HELLO's AUTH username and password, CONFIG SET's values of
// sensitive parameters, MIGRATE's AUTH and AUTH2 credentials.
func redactedArg(args [][]byte, i int) bool {
	if i == 0 || len(args) < 2 {
		return false
	}
	switch {
	case equalFold(args[0], "acl"):
		return equalFold(args[1], "setuser") && i >= 2
	case equalFold(args[0], "auth"):
		return len(args) <= 3
	case equalFold(args[0], "hello"):
		for j := 2; j < len(args); j++ {
			more := len(args) - 1 - j
			switch {
			case equalFold(args[j], "auth") && more >= 2:
				if i == j+1 || i == j+2 {
					return true
				}
				j += 2
			case equalFold(args[j], "setname") && more >= 1:
				j++
			default:
				return false
			}
		}
	case equalFold(args[0], "config"):
		if !equalFold(args[1], "set") || i < 3 || i%2 == 0 {
			return false
		}
		name := args[i-1]
		return equalFold(name, "requirepass") || equalFold(name, "masterauth") || equalFold(name, "masteruser")
	case equalFold(args[0], "migrate"):
		for j := 6; j < len(args) && j < i; j++ {
			switch {
			case equalFold(args[j], "auth"):
				if i == j+1 {
					return true
				}
				j++
			case equalFold(args[j], "auth2"):
				if i == j+1 || i == j+2 {
					return true
				}
				j += 2
			case equalFold(args[j], "keys"):
				return false
			}
		}
	}
	return false
}
