//go:build !unix

package engine

// processCPU is not available on this platform (wasm).
func processCPU() (sys, user float64, ok bool) { return 0, 0, false }
