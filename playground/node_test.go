package playground_test

import (
	"os"
	"os/exec"
	"testing"
)

// TestNode runs the JavaScript tests under Node: resp.js against redis-cli
// golden output, and the wasm build's API (when `make wasm` has run).
func TestNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: JavaScript tests skipped")
	}
	for _, script := range []string{"test/resp_test.mjs", "test/share_test.mjs", "test/wasm_test.mjs"} {
		t.Run(script, func(t *testing.T) {
			if script == "test/wasm_test.mjs" {
				if _, err := os.Stat("wasm/goredis.wasm"); err != nil {
					t.Skip("playground/wasm/goredis.wasm is not built: run make wasm")
				}
			}
			out, err := exec.Command(node, script).CombinedOutput()
			t.Logf("%s", out)
			if err != nil {
				t.Fatalf("node %s: %v", script, err)
			}
		})
	}
}
