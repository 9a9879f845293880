// Package lessons reads the playground's tutorial: lessons written as
// Markdown files with runnable command blocks and checks, kept apart from
// the terminal code. The browser reads the same files (tutorial.js); this
// package lets Go tests prove every check works against the real engine.
//
// A lesson file:
//
//	---
//	id: lists
//	title: Lists and a job queue
//	seed: DEL queue
//	---
//	Introductory text.
//
//	## Push three jobs
//	Text of the step.
//	```redis
//	RPUSH queue job1 job2 job3
//	```
//	```check
//	LLEN queue == 3
//	```
//	> hint: RPUSH takes the key, then any number of elements.
//
// A redis block may name a terminal (```redis terminal=2); the playground
// then offers to open the second client. Check lines (all must hold):
//
//	COMMAND args == text   the command's reply, in plain form, equals text
//	COMMAND args ~= text   ... contains text
//	reply == text          the learner's last reply equals (or ~= contains) text
//	typed == NAME          the learner's last command was NAME
//
// Plain form: integers and strings as they are, nil as (nil), errors as
// "(error) MESSAGE", arrays, sets and maps as their items joined by "|".
package lessons

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed *.md index.txt
var files embed.FS

// Lesson is one tutorial lesson.
type Lesson struct {
	ID, Title string
	Seed      []string // commands that prepare the keyspace
	Intro     string
	Steps     []Step
}

// Step is one thing the learner does.
type Step struct {
	Title    string
	Body     string
	Commands []Command
	Checks   []Check
	Hint     string
}

// Command is a click-to-run command line for terminal 1 or 2. A line
// "# wait N" in a redis block is an instruction to wait N seconds (the
// tests move their clock instead).
type Command struct {
	Terminal int
	Line     string
	Wait     int // seconds, for "# wait N"
}

// Raw reports whether the line is typed in raw RESP mode (it holds
// escaped CR LF such as *1\r\n$4\r\nPING\r\n).
func (c Command) Raw() bool { return strings.Contains(c.Line, `\r\n`) }

// RawBytes unescapes a raw-mode line.
func (c Command) RawBytes() []byte {
	r := strings.NewReplacer(`\r`, "\r", `\n`, "\n", `\t`, "\t", `\\`, `\`)
	return []byte(r.Replace(c.Line))
}

// Check is one condition a step's completion needs.
type Check struct {
	Subject string // "reply", "typed" or a command line
	Op      string // "==" or "~="
	Want    string
}

// All returns the lessons in index order.
func All() ([]Lesson, error) {
	idx, err := files.ReadFile("index.txt")
	if err != nil {
		return nil, err
	}
	var out []Lesson
	for _, name := range strings.Fields(string(idx)) {
		src, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		l, err := Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// Parse reads one lesson file.
func Parse(src string) (Lesson, error) {
	var l Lesson
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	i := 0
	if len(lines) > 0 && strings.TrimSpace(lines[0]) == "---" {
		for i = 1; i < len(lines) && strings.TrimSpace(lines[i]) != "---"; i++ {
			k, v, ok := strings.Cut(lines[i], ":")
			if !ok {
				return l, fmt.Errorf("front matter line %d: want key: value", i+1)
			}
			v = strings.TrimSpace(v)
			switch strings.TrimSpace(k) {
			case "id":
				l.ID = v
			case "title":
				l.Title = v
			case "seed":
				l.Seed = append(l.Seed, v)
			}
		}
		i++
	}
	if l.ID == "" || l.Title == "" {
		return l, fmt.Errorf("lesson needs id and title")
	}
	var cur *Step
	var text []string
	flush := func() {
		t := strings.TrimSpace(strings.Join(text, "\n"))
		if cur == nil {
			l.Intro = t
		} else {
			cur.Body = t
		}
	}
	for ; i < len(lines); i++ {
		line := lines[i]
		switch {
		case strings.HasPrefix(line, "## "):
			flush()
			l.Steps = append(l.Steps, Step{Title: strings.TrimSpace(line[3:])})
			cur = &l.Steps[len(l.Steps)-1]
			text = nil
		case strings.HasPrefix(line, "```"):
			info := strings.Fields(strings.TrimPrefix(line, "```"))
			var block []string
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
				if strings.TrimSpace(lines[i]) != "" {
					block = append(block, strings.TrimSpace(lines[i]))
				}
			}
			if cur == nil {
				return l, fmt.Errorf("code block before the first step")
			}
			kind := ""
			if len(info) > 0 {
				kind = info[0]
			}
			switch kind {
			case "redis":
				term := 1
				for _, opt := range info[1:] {
					if opt == "terminal=2" {
						term = 2
					}
				}
				for _, b := range block {
					c := Command{Terminal: term, Line: b}
					if w, ok := strings.CutPrefix(b, "# wait "); ok {
						fmt.Sscan(w, &c.Wait)
					}
					cur.Commands = append(cur.Commands, c)
				}
				text = append(text, fmt.Sprintf("{{commands %d}}", len(cur.Commands)-len(block)))
			case "check":
				for _, b := range block {
					c, err := parseCheck(b)
					if err != nil {
						return l, fmt.Errorf("step %q: %w", cur.Title, err)
					}
					cur.Checks = append(cur.Checks, c)
				}
			default:
				text = append(text, "```"+strings.Join(info, " "))
				text = append(text, block...)
				text = append(text, "```")
			}
		case strings.HasPrefix(line, "> hint:"):
			if cur == nil {
				return l, fmt.Errorf("hint before the first step")
			}
			cur.Hint = strings.TrimSpace(strings.TrimPrefix(line, "> hint:"))
		default:
			text = append(text, line)
		}
	}
	flush()
	if len(l.Steps) == 0 {
		return l, fmt.Errorf("lesson %s has no steps", l.ID)
	}
	return l, nil
}

// Plain renders the first RESP reply in b in the checks' plain form and
// returns how many bytes it used (0 when b holds no complete reply).
func Plain(b []byte) (string, int) {
	line, rest, ok := strings.Cut(string(b), "\r\n")
	if !ok || len(line) == 0 {
		return "", 0
	}
	used := len(line) + 2
	body := line[1:]
	switch line[0] {
	case '+', ':', ',', '(':
		return body, used
	case '-', '!':
		return "(error) " + body, used
	case '_':
		return "(nil)", used
	case '#':
		if body == "t" {
			return "(true)", used
		}
		return "(false)", used
	case '$', '=':
		var n int
		fmt.Sscan(body, &n)
		if n < 0 {
			return "(nil)", used
		}
		if len(rest) < n+2 {
			return "", 0
		}
		s := rest[:n]
		if line[0] == '=' && len(s) >= 4 {
			s = s[4:]
		}
		return s, used + n + 2
	case '*', '~', '%', '>', '|':
		var n int
		fmt.Sscan(body, &n)
		if n < 0 {
			return "(nil)", used
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		items := make([]string, 0, n)
		for i := 0; i < n; i++ {
			item, m := Plain(b[used:])
			if m == 0 {
				return "", 0
			}
			items = append(items, item)
			used += m
		}
		if line[0] == '|' { // attribute: the reply follows
			item, m := Plain(b[used:])
			if m == 0 {
				return "", 0
			}
			return item, used + m
		}
		return strings.Join(items, "|"), used
	}
	return "", 0
}

func parseCheck(line string) (Check, error) {
	for _, op := range []string{"==", "~="} {
		if subj, want, ok := strings.Cut(line, " "+op+" "); ok {
			return Check{Subject: strings.TrimSpace(subj), Op: op, Want: strings.TrimSpace(want)}, nil
		}
		if subj, ok := strings.CutSuffix(line, " "+op); ok {
			return Check{Subject: strings.TrimSpace(subj), Op: op}, nil
		}
	}
	return Check{}, fmt.Errorf("check %q: want 'subject == text' or 'subject ~= text'", line)
}

// Holds reports whether got satisfies the check's operator.
func (c Check) Holds(got string) bool {
	if c.Op == "~=" {
		return strings.Contains(got, c.Want)
	}
	return got == c.Want
}
