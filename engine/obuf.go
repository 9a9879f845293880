package engine

import (
	"strconv"
	"strings"
)

// outputLimit is one class of client-output-buffer-limit: a hard limit in
// bytes, and a soft limit that may be exceeded for softSeconds.
type outputLimit struct {
	hard, soft, softSeconds int64
}

// mergeOutputLimits applies a client-output-buffer-limit value ("class hard
// soft seconds" repeated) over the current one, as Redis does: classes not
// named keep their limits. It returns the full normalized value.
func mergeOutputLimits(cur, v string) (string, [3]outputLimit, string) {
	lims, _ := parseOutputLimits(cur)
	f := strings.Fields(v)
	if len(f)%4 != 0 {
		return "", lims, "Wrong number of arguments in buffer limit configuration."
	}
	for i := 0; i < len(f); i += 4 {
		class := -1
		switch strings.ToLower(f[i]) {
		case "normal":
			class = 0
		case "slave", "replica":
			class = 1
		case "pubsub":
			class = 2
		}
		if class < 0 {
			return "", lims, "Invalid client class specified in buffer limit configuration."
		}
		hard, ok1 := parseMemory(f[i+1])
		soft, ok2 := parseMemory(f[i+2])
		secs, err := strconv.ParseInt(f[i+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 {
			return "", lims, "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		lims[class] = outputLimit{hard, soft, secs}
	}
	return formatOutputLimits(lims), lims, ""
}

func parseOutputLimits(v string) ([3]outputLimit, bool) {
	var lims [3]outputLimit
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		hard, _ := parseMemory(f[i+1])
		soft, _ := parseMemory(f[i+2])
		secs, _ := strconv.ParseInt(f[i+3], 10, 64)
		switch strings.ToLower(f[i]) {
		case "normal":
			lims[0] = outputLimit{hard, soft, secs}
		case "slave", "replica":
			lims[1] = outputLimit{hard, soft, secs}
		case "pubsub":
			lims[2] = outputLimit{hard, soft, secs}
		}
	}
	return lims, true
}

func formatOutputLimits(lims [3]outputLimit) string {
	// Redis's CONFIG GET order and words ("replica" is shown as "slave").
	classes := [...]string{"normal", "slave", "pubsub"}
	var b []byte
	for i, l := range lims {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, classes[i]...)
		for _, n := range []int64{l.hard, l.soft, l.softSeconds} {
			b = append(b, ' ')
			b = strconv.AppendInt(b, n, 10)
		}
	}
	return string(b)
}
