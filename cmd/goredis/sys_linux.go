package main

import "syscall"

// disableTHP turns transparent huge pages off for the process, as Redis
// does with disable-thp yes (the default): copy-on-write of huge pages
// costs latency and memory.
func disableTHP() {
	const prSetTHPDisable = 41
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetTHPDisable, 1, 0)
}
