package engine

import (
	"fmt"
	"os"
	"testing"

	"github.com/goredis-dev/goredis/internal/refredis"
)

// TestMain starts a reference redis-server (when installed and none is
// named in the environment) so the differential tests always run.
func TestMain(m *testing.M) {
	stop, err := refredis.SetupEnv("GOREDIS_DIFF_ADDR", "GOREDIS_DIFF")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}
