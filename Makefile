# GoRedis: `make run` builds everything and starts the server with the
# playground; `make test` runs every test (installing what they need).

GO        ?= go
BIN       := bin/goredis
WASM_DIR  := playground/wasm
GOROOT    := $(shell $(GO) env GOROOT)

.PHONY: all build run lint test test-go test-wasm deps vet fmt-check bench fuzz wasm generate clean

all: build

build: wasm
	$(GO) build -trimpath -o $(BIN) ./cmd/goredis

run: build
	./$(BIN) --port 6379 --http-port 8080

# wasm builds the engine for the browser and copies the Go runtime's
# wasm_exec.js from this toolchain (never a stale copy in git).
# WASM_GCFLAGS turn inlining off outside the Go runtime: inlined copies
# are most of the code and compress poorly (brotli 999 KB -> 921 KB);
# pipelined commands run about 15% slower in the page (1.2M -> 1.0M/s),
# and the native server keeps full inlining.
WASM_GCFLAGS := -gcflags=all=-l -gcflags=runtime= -gcflags=internal/runtime/...=
wasm:
	@mkdir -p $(WASM_DIR)
	@if [ -f wasm/main.go ]; then \
		GOOS=js GOARCH=wasm $(GO) build -trimpath $(WASM_GCFLAGS) -ldflags="-s -w" -o $(WASM_DIR)/goredis.wasm ./wasm && \
		cp "$(GOROOT)/lib/wasm/wasm_exec.js" $(WASM_DIR)/wasm_exec.js && \
		gzip -9 -k -f $(WASM_DIR)/goredis.wasm && \
		if command -v brotli >/dev/null 2>&1; then brotli -q 11 -k -f $(WASM_DIR)/goredis.wasm; fi; \
	fi

# deps installs the programs the tests drive: redis-server and redis-cli
# (differential and client tests) and chromium (browser tests).
deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v redis-cli >/dev/null 2>&1 || missing="$$missing redis-tools"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v brotli >/dev/null 2>&1 || missing="$$missing brotli"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "tests need:$$missing (run: sudo apt-get install -y$$missing)"; exit 1; \
		fi; \
	fi

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./engine/... ./wasm/...

# lint runs staticcheck (fetched through the Go module proxy, pinned).
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

test: deps fmt-check vet lint wasm test-go test-wasm

test-go:
	$(GO) test -race -count=1 -timeout 20m ./...

# test-wasm runs the engine's tests compiled to WebAssembly under Node.
test-wasm:
	PATH="$$PATH:$(GOROOT)/lib/wasm" GOOS=js GOARCH=wasm $(GO) test -count=1 ./engine/...

bench: build deps
	$(GO) test -run '^$$' -bench . -benchmem ./engine/ ./netserver/ ./netserver/resp/
	$(GO) run ./cmd/redisbench
	$(GO) run ./cmd/hostilebench
	node playground/test/wasm_bench.mjs
	$(GO) run ./cmd/wsload -peers 1000 -commands 100

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 60s ./netserver/resp/
	$(GO) test -run '^$$' -fuzz FuzzDispatch -fuzztime 60s ./engine/

generate:
	cd engine && $(GO) run ./internal/specgen -in ../../shared/redis-spec/commands.json -out spec_gen.go

clean:
	rm -rf bin $(WASM_DIR)
