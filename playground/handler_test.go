package playground_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/playground"
)

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte("\x00asm-raw"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	gz := buf.Bytes()
	fsys := fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html>")},
		"app.js":               {Data: []byte("main()")},
		"embed.go":             {Data: []byte("package playground")},
		"test/x.js":            {Data: []byte("secret")},
		"wasm/goredis.wasm":    {Data: []byte("\x00asm-raw")},
		"wasm/goredis.wasm.gz": {Data: gz},
	}
	h := playground.Handler(fsys)
	get := func(path, enc string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	body := func(r *http.Response) string {
		b, _ := io.ReadAll(r.Body)
		return string(b)
	}

	r := get("/", "")
	assert.Equal(t, 200, r.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Equal(t, "<!doctype html>", body(r))

	r = get("/app.js", "")
	assert.Equal(t, "text/javascript; charset=utf-8", r.Header.Get("Content-Type"))

	for _, p := range []string{"/embed.go", "/test/x.js", "/missing.js", "/../go.mod"} {
		assert.Equal(t, 404, get(p, "").StatusCode, p)
	}

	r = get("/wasm/goredis.wasm", "gzip, deflate, br")
	assert.Equal(t, "application/wasm", r.Header.Get("Content-Type"))
	assert.Equal(t, "gzip", r.Header.Get("Content-Encoding"))
	assert.Equal(t, "Accept-Encoding", r.Header.Get("Vary"))
	assert.Equal(t, string(gz), body(r))

	fsys["wasm/goredis.wasm.br"] = &fstest.MapFile{Data: []byte("brotli")}
	r = get("/wasm/goredis.wasm", "gzip, deflate, br")
	assert.Equal(t, "br", r.Header.Get("Content-Encoding"))
	assert.Equal(t, "brotli", body(r))
	r = get("/wasm/goredis.wasm", "gzip, br;q=0")
	assert.Equal(t, "gzip", r.Header.Get("Content-Encoding"))

	for _, enc := range []string{"", "identity", "gzip;q=0"} {
		r = get("/wasm/goredis.wasm", enc)
		assert.Empty(t, r.Header.Get("Content-Encoding"), enc)
		assert.Equal(t, "\x00asm-raw", body(r), enc)
	}

	req := httptest.NewRequest(http.MethodPost, "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

// TestRootIndex keeps the repository's index.html the same page as
// playground/index.html, with its URLs one folder down.
func TestRootIndex(t *testing.T) {
	root, err := os.ReadFile("../index.html")
	require.NoError(t, err)
	page, err := os.ReadFile("index.html")
	require.NoError(t, err)
	want := strings.NewReplacer(`href="./`, `href="./playground/`, `src="./`, `src="./playground/`).Replace(string(page))
	assert.Equal(t, want, string(root))
}
