// Package playground is the browser playground: a redis-cli-like terminal
// page running the engine compiled to WebAssembly (see wasm/). Its files are
// plain HTML, CSS and JavaScript modules with relative URLs, so the folder
// works from any static server; Handler serves the copy embedded in the
// goredis binary.
//
// The WebAssembly files (wasm/goredis.wasm, its .gz and wasm_exec.js) are
// built by `make wasm`; a binary built without them serves the page and
// answers 404 for the engine.
package playground

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// The pattern * takes every file and folder here, the wasm folder too when
// it has been built (naming wasm/ would fail to compile without it).
//
//go:embed *
var embedded embed.FS

// Files returns the playground's files as embedded in the binary.
func Files() fs.FS { return embedded }

// contentTypes lists what Handler serves: the page's own kinds of files,
// never the Go sources or tests next to them.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".wasm": "application/wasm",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".md":   "text/markdown; charset=utf-8", // lessons
	".txt":  "text/plain; charset=utf-8",
}

// Handler serves the playground from fsys: index.html at /, the other
// files by name. goredis.wasm goes out precompressed (its prebuilt .br or
// .gz) to clients that accept that encoding; browsers send br over HTTPS.
func Handler(fsys fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		ctype, ok := contentTypes[path.Ext(name)]
		if !ok || strings.HasPrefix(name, "test/") {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		if path.Ext(name) == ".wasm" {
			h.Add("Vary", "Accept-Encoding")
			accept := r.Header.Get("Accept-Encoding")
			for _, c := range precompressed {
				if !accepts(accept, c.encoding) {
					continue
				}
				if data, err := fs.ReadFile(fsys, name+c.suffix); err == nil {
					h.Set("Content-Encoding", c.encoding)
					serveBytes(w, r, data)
					return
				}
			}
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			h.Del("Content-Type")
			h.Del("Cache-Control")
			if strings.HasPrefix(name, "wasm/") {
				http.Error(w, "the WebAssembly engine is not built into this binary: run make wasm, then rebuild", http.StatusNotFound)
				return
			}
			http.NotFound(w, r)
			return
		}
		serveBytes(w, r, data)
	})
}

func serveBytes(w http.ResponseWriter, r *http.Request, data []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// precompressed lists the encodings `make wasm` prepares, best first
// (brotli only when the brotli tool was installed).
var precompressed = [...]struct{ encoding, suffix string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

// accepts reads an Accept-Encoding header: coding listed (or *) without q=0.
func accepts(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), coding) && strings.TrimSpace(enc) != "*" {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		if params == "q=0" || params == "q=0.0" || params == "q=0.00" || params == "q=0.000" {
			return false
		}
		return true
	}
	return false
}
