package acl

import "strings"

// describeCommands is ACLDescribeSelectorCommandRules: "+@all" or
// "-@all", then the categories that best approach the bitmap, then single
// commands and first-args for the rest. Single commands come in name order
// (Redis follows its hash table's order, which differs run to run).
func (s *Selector) describeCommands(t *Table) string {
	var b strings.Builder
	fake := newSelector(t, false, false)
	additive := !s.bit(t.n)
	if additive {
		b.WriteString("-@all ")
	} else {
		b.WriteString("+@all ")
		fake.setAll(true)
	}
	temp := newSelector(t, false, false)
	copy(temp.allowed, s.allowed)
	var applied [len(categoryNames)]bool
	for {
		best := -1
		var minDiff, maxSame = int(^uint(0) >> 1), 0
		for j := range categoryNames {
			if applied[j] {
				continue
			}
			on, off := temp.countCategory(t, 1<<j)
			diff, same := off, on
			if !additive {
				diff, same = on, off
			}
			if same > diff && (diff < minDiff || (diff == minDiff && same > maxSame)) {
				best, minDiff, maxSame = j, diff, same
			}
		}
		if best < 0 {
			break
		}
		fake.setCategory(t, 1<<best, additive)
		temp.setCategory(t, 1<<best, !additive)
		if additive {
			b.WriteString("+@")
		} else {
			b.WriteString("-@")
		}
		b.WriteString(categoryNames[best])
		b.WriteByte(' ')
		applied[best] = true
	}
	for _, c := range t.top {
		s.describeSingle(c, fake, &b)
		for _, sub := range c.Subs {
			s.describeSingle(sub, fake, &b)
		}
		if !s.bit(c.id) {
			for _, a := range s.firstArgs[c.id] {
				b.WriteString("+" + c.Name + "|" + a + " ")
			}
		}
	}
	out := b.String()
	return out[:len(out)-1]
}

func (s *Selector) describeSingle(c *Command, fake *Selector, b *strings.Builder) {
	user, have := s.bit(c.id), fake.bit(c.id)
	if user == have {
		return
	}
	if user {
		b.WriteByte('+')
	} else {
		b.WriteByte('-')
	}
	b.WriteString(c.Name)
	b.WriteByte(' ')
	fake.changePerm(c, user)
}

func (s *Selector) countCategory(t *Table, bit uint32) (on, off int) {
	count := func(c *Command) {
		if c.Categories&bit == 0 {
			return
		}
		if s.bit(c.id) {
			on++
		} else {
			off++
		}
	}
	for _, c := range t.top {
		count(c)
		for _, sub := range c.Subs {
			count(sub)
		}
	}
	return on, off
}

func (p KeyPattern) String() string {
	switch p.Perm {
	case PermRead:
		return "%R~" + p.Pattern
	case PermWrite:
		return "%W~" + p.Pattern
	}
	return "~" + p.Pattern
}

// describe is ACLDescribeSelector: keys, channels, commands.
func (s *Selector) describe(t *Table) string {
	var b strings.Builder
	if s.allKeys {
		b.WriteString("~* ")
	} else {
		for _, k := range s.keys {
			b.WriteString(k.String())
			b.WriteByte(' ')
		}
	}
	if s.allChannels {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range s.channels {
			b.WriteString("&" + c + " ")
		}
	}
	b.WriteString(s.describeCommands(t))
	return b.String()
}

// Describe is the user's rules as ACL LIST and ACL SAVE write them
// (without "user <name> ").
func (u *User) describe(t *Table) string {
	if u.desc != "" {
		return u.desc
	}
	var b strings.Builder
	for _, f := range userFlagNames {
		if u.flags&f.flag != 0 {
			b.WriteString(f.name + " ")
		}
	}
	for _, p := range u.passwords {
		b.WriteString("#" + p + " ")
	}
	for _, s := range u.selectors {
		if s.root {
			b.WriteString(s.describe(t))
		} else {
			b.WriteString(" (" + s.describe(t) + ")")
		}
	}
	u.desc = b.String()
	return u.desc
}

// Flags are the user's flags as ACL GETUSER lists them.
func (u *User) Flags() []string {
	var out []string
	for _, f := range userFlagNames {
		if u.flags&f.flag != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// SelectorInfo is one selector as ACL GETUSER shows it.
type SelectorInfo struct {
	Commands, Keys, Channels string
}

func (s *Selector) info(t *Table) SelectorInfo {
	in := SelectorInfo{Commands: s.describeCommands(t)}
	if s.allKeys {
		in.Keys = "~*"
	} else {
		parts := make([]string, len(s.keys))
		for i, k := range s.keys {
			parts[i] = k.String()
		}
		in.Keys = strings.Join(parts, " ")
	}
	if s.allChannels {
		in.Channels = "&*"
	} else {
		parts := make([]string, len(s.channels))
		for i, c := range s.channels {
			parts[i] = "&" + c
		}
		in.Channels = strings.Join(parts, " ")
	}
	return in
}
