package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestWasmBuildLinksNoCrypto keeps Go's crypto module and network stack out
// of the WebAssembly build: either costs tens of KB of the playground's
// download for nothing the browser engine uses (hashes come from
// internal/shasum, randomness from the host).
func TestWasmBuildLinksNoCrypto(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "../../wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "crypto/") || pkg == "crypto" || pkg == "net" || strings.HasPrefix(pkg, "net/http") {
			t.Errorf("the wasm build links %s", pkg)
		}
	}
}
