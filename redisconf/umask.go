package redisconf

import (
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// currentUmask reads the process's umask from /proc (Linux 4.7+) without
// changing it; elsewhere the common 022.
func currentUmask() fs.FileMode {
	data, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return fs.FileMode(n)
				}
			}
		}
	}
	return 0o022
}
