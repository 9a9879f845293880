//go:build race

package engine

// raceDetector: the race detector slows the engine about tenfold, so the
// table fuzzer runs a quarter of its cases under it (all without it).
const raceDetector = true
