package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/internal/testcerts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func baseSettings(f testcerts.Files) Settings {
	return Settings{
		CertFile: f.ServerCert, KeyFile: f.ServerKey, CACertFile: f.CA,
		AuthClients: "yes", SessionCaching: true, SessionCacheSize: 20480, SessionCacheTimeout: 300,
	}
}

// configureMsg runs Configure and returns what it logged ("" on success).
func configureMsg(t *testing.T, s Settings) (*Contexts, string) {
	t.Helper()
	var logged string
	c, err := Configure(s, func(msg string) { logged = msg })
	if err != nil {
		require.ErrorIs(t, err, ErrConfigure)
		require.NotEmpty(t, logged)
		return nil, logged
	}
	require.Empty(t, logged)
	return c, ""
}

// TestConfigureErrors: each misconfiguration is refused with the line
// Redis's tlsConfigure logs.
func TestConfigureErrors(t *testing.T) {
	f := testcerts.Write(t)
	missing := filepath.Join(f.Dir, "missing.pem")
	for _, tc := range []struct {
		name   string
		change func(*Settings)
		msg    string
	}{
		{"no cert", func(s *Settings) { s.CertFile = "" }, "No tls-cert-file configured!"},
		{"no key", func(s *Settings) { s.KeyFile = "" }, "No tls-key-file configured!"},
		{"no CA", func(s *Settings) { s.CACertFile = "" },
			"Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!"},
		{"no CA for replication", func(s *Settings) { s.CACertFile, s.AuthClients, s.Replication = "", "no", true },
			"Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!"},
		{"bad protocols", func(s *Settings) { s.Protocols = "TLSv1.2 SSLv3" },
			"Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."},
		{"missing cert", func(s *Settings) { s.CertFile = missing }, "Failed to load certificate: " + missing + ": No such file or directory"},
		{"missing key", func(s *Settings) { s.KeyFile = missing }, "Failed to load private key: " + missing + ": No such file or directory"},
		{"key of another cert", func(s *Settings) { s.KeyFile = f.ClientKey },
			"Failed to load private key: " + f.ClientKey + ": tls: private key does not match public key"},
		{"missing CA", func(s *Settings) { s.CACertFile = missing },
			"Failed to configure CA certificate(s) file/directory: No such file or directory"},
		{"no cipher left", func(s *Settings) { s.Ciphers = "NOSUCHCIPHER" }, "Failed to configure ciphers: NOSUCHCIPHER"},
		{"missing DH params", func(s *Settings) { s.DHParamsFile = missing }, "Failed to load " + missing + ": No such file or directory"},
		{"DH params file holds no parameters", func(s *Settings) { s.DHParamsFile = f.CA }, f.CA + ": failed to read DH params."},
		{"bad client key", func(s *Settings) { s.ClientCertFile, s.ClientKeyFile = f.ClientCert, f.ServerKey },
			"Failed to load private key: " + f.ServerKey + ": tls: private key does not match public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSettings(f)
			tc.change(&s)
			_, msg := configureMsg(t, s)
			assert.Equal(t, tc.msg, msg)
		})
	}
	// A CA directory serves as well as a CA file, and no CA is needed
	// when nothing verifies peers.
	s := baseSettings(f)
	s.CACertFile, s.CACertDir = "", f.Dir
	_, msg := configureMsg(t, s)
	assert.Empty(t, msg)
	s = baseSettings(f)
	s.CACertFile, s.AuthClients = "", "no"
	_, msg = configureMsg(t, s)
	assert.Empty(t, msg)
}

// handshake connects a client with cc to a server with sc over loopback
// and returns the client's state and both ends' errors.
func handshake(t *testing.T, sc, cc *tls.Config) (st tls.ConnectionState, serverErr, clientErr error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	b, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	a, err := ln.Accept()
	require.NoError(t, err)
	// A bound for a handshake that would hang, not a timing assertion.
	_ = a.SetDeadline(time.Now().Add(time.Minute))
	_ = b.SetDeadline(time.Now().Add(time.Minute))
	srv := tls.Server(a, sc)
	cli := tls.Client(b, cc)
	done := make(chan error, 1)
	go func() {
		err := srv.Handshake()
		if err == nil {
			// TLS 1.3 checks the client's certificate with its Finished
			// message, which the first read takes in.
			_, err = io.ReadFull(srv, make([]byte, 6))
		}
		if err == nil {
			_, err = srv.Write([]byte("+PONG\r\n"))
		}
		_ = srv.Close()
		done <- err
	}()
	clientErr = cli.Handshake()
	if clientErr == nil {
		_, clientErr = cli.Write([]byte("PING\r\n"))
	}
	if clientErr == nil {
		// The reply comes after the session ticket: reading it stores
		// the ticket for a later resumption.
		_, clientErr = io.ReadFull(cli, make([]byte, 7))
		st = cli.ConnectionState()
	}
	_ = cli.Close()
	serverErr = <-done
	if errors.Is(serverErr, io.EOF) {
		serverErr = nil
	}
	return st, serverErr, clientErr
}

func clientWith(t *testing.T, f testcerts.Files, cert, key string) *tls.Config {
	t.Helper()
	roots := x509.NewCertPool()
	ca, err := os.ReadFile(f.CA)
	require.NoError(t, err)
	require.True(t, roots.AppendCertsFromPEM(ca))
	cc := &tls.Config{RootCAs: roots, ServerName: "localhost"}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		require.NoError(t, err)
		cc.Certificates = []tls.Certificate{pair}
	}
	return cc
}

// TestAuthClients: tls-auth-clients yes needs a certificate the CA
// signed, optional checks one when given, no asks for none.
func TestAuthClients(t *testing.T) {
	f := testcerts.Write(t)
	c, _ := configureMsg(t, baseSettings(f))
	withCert := clientWith(t, f, f.ClientCert, f.ClientKey)
	noCert := clientWith(t, f, "", "")
	// A certificate from another CA: make one signed by nobody we trust.
	other := testcerts.Write(t)
	strangerCert := clientWith(t, f, other.ClientCert, other.ClientKey)
	for _, tc := range []struct {
		mode string
		cc   *tls.Config
		ok   bool
	}{
		{"yes", withCert, true}, {"yes", noCert, false}, {"yes", strangerCert, false},
		{"optional", withCert, true}, {"optional", noCert, true}, {"optional", strangerCert, false},
		{"no", withCert, true}, {"no", noCert, true}, {"no", strangerCert, true},
	} {
		_, serr, _ := handshake(t, c.Server(tc.mode), tc.cc)
		assert.Equal(t, tc.ok, serr == nil, "tls-auth-clients %s: %v", tc.mode, serr)
	}
}

// TestProtocols: tls-protocols bounds the versions the server speaks.
func TestProtocols(t *testing.T) {
	f := testcerts.Write(t)
	for _, tc := range []struct {
		protocols  string
		clientMax  uint16
		ok         bool
		negotiated uint16
	}{
		{"", tls.VersionTLS13, true, tls.VersionTLS13},
		{"", tls.VersionTLS12, true, tls.VersionTLS12},
		{"", tls.VersionTLS11, false, 0}, // Redis's default: TLSv1.2 and TLSv1.3
		{"TLSv1.2", tls.VersionTLS13, true, tls.VersionTLS12},
		{"tlsv1.3", tls.VersionTLS12, false, 0},
		{"TLSv1.2 TLSv1.3", tls.VersionTLS13, true, tls.VersionTLS13},
	} {
		s := baseSettings(f)
		s.Protocols, s.AuthClients = tc.protocols, "no"
		c, msg := configureMsg(t, s)
		require.Empty(t, msg)
		cc := clientWith(t, f, "", "")
		cc.MaxVersion = tc.clientMax
		if tc.clientMax < tls.VersionTLS12 {
			cc.MinVersion = tls.VersionTLS10
		}
		st, serr, cerr := handshake(t, c.Server("no"), cc)
		if !tc.ok {
			assert.Error(t, serr, "tls-protocols %q, client up to %x", tc.protocols, tc.clientMax)
			continue
		}
		require.NoError(t, serr)
		require.NoError(t, cerr)
		assert.Equal(t, tc.negotiated, st.Version, "tls-protocols %q", tc.protocols)
	}
}

// TestCipherList: OpenSSL's cipher-list syntax over Go's suites.
func TestCipherList(t *testing.T) {
	name := func(ids []uint16) []string {
		var out []string
		for _, id := range ids {
			for _, s := range suites {
				if s.id == id {
					out = append(out, s.openssl)
				}
			}
		}
		return out
	}
	for _, tc := range []struct {
		list string
		want []string
	}{
		{"ECDHE-RSA-AES128-GCM-SHA256", []string{"ECDHE-RSA-AES128-GCM-SHA256"}},
		{"AES128-SHA256:AES256-SHA256", []string{"AES128-SHA256"}}, // Go has no AES256-SHA256
		{"ECDHE+AESGCM+aECDSA", []string{"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256"}},
		{"kECDHE+CHACHA20:AES128-GCM-SHA256", []string{"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", "AES128-GCM-SHA256"}},
		{"HIGH:!aRSA:!SHA1:!SHA256", []string{"ECDHE-ECDSA-AES256-GCM-SHA384"}},
		{"-ALL:AES128-SHA", []string{"AES128-SHA"}},
		{"AES128-SHA !AES128-SHA AES128-SHA", nil}, // ! is for good
		{"AES128-SHA -AES128-SHA AES128-SHA", []string{"AES128-SHA"}},
		{"AES128-SHA,AES256-SHA:+AES128-SHA", []string{"AES256-SHA", "AES128-SHA"}},
		{"@STRENGTH:RC4-SHA:@SECLEVEL=0", []string{"RC4-SHA"}},
		{"NOSUCH", nil},
	} {
		ids, ok := ParseCipherList(tc.list)
		assert.Equal(t, tc.want != nil, ok, tc.list)
		assert.Equal(t, tc.want, name(ids), tc.list)
	}
	all, ok := ParseCipherList("DEFAULT")
	require.True(t, ok)
	for _, n := range name(all) {
		assert.NotContains(t, []string{"DES-CBC3-SHA", "RC4-SHA"}, n, "DEFAULT leaves out 3DES and RC4, as OpenSSL's")
	}
	weak, _ := ParseCipherList("COMPLEMENTOFDEFAULT")
	assert.Len(t, weak, len(suites)-len(all))
}

// TestCiphers: a server restricted by tls-ciphers refuses a TLS 1.2
// client offering none of them, and uses the one they share.
func TestCiphers(t *testing.T) {
	f := testcerts.Write(t) // ECDSA certificates
	s := baseSettings(f)
	s.Protocols, s.AuthClients, s.Ciphers = "TLSv1.2", "no", "DEFAULT:-ECDHE-ECDSA-AES128-GCM-SHA256"
	c, msg := configureMsg(t, s)
	require.Empty(t, msg)
	cc := clientWith(t, f, "", "")
	cc.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	_, serr, _ := handshake(t, c.Server("no"), cc)
	assert.Error(t, serr)
	cc.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
	st, serr, cerr := handshake(t, c.Server("no"), cc)
	require.NoError(t, serr)
	require.NoError(t, cerr)
	assert.Equal(t, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, st.CipherSuite)
	// tls-ciphersuites naming no TLS 1.3 suite leaves TLS 1.3 nothing to
	// negotiate: the connection falls back to TLS 1.2.
	s = baseSettings(f)
	s.AuthClients, s.Ciphersuites = "no", "NOSUCH"
	c, msg = configureMsg(t, s)
	require.Empty(t, msg)
	st, _, _ = handshake(t, c.Server("no"), clientWith(t, f, "", ""))
	assert.Equal(t, uint16(tls.VersionTLS12), st.Version)
	s.Ciphersuites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
	c, _ = configureMsg(t, s)
	st, _, _ = handshake(t, c.Server("no"), clientWith(t, f, "", ""))
	assert.Equal(t, uint16(tls.VersionTLS13), st.Version)
}

// TestSessionCaching: with tls-session-caching a client resumes its
// session; without, every connection is a full handshake; and a session
// older than tls-session-cache-timeout is not resumed.
func TestSessionCaching(t *testing.T) {
	f := testcerts.Write(t)
	for _, tc := range []struct {
		caching bool
		timeout int
		resumed bool
	}{{true, 300, true}, {false, 300, false}} {
		s := baseSettings(f)
		s.AuthClients, s.SessionCaching, s.SessionCacheTimeout = "no", tc.caching, tc.timeout
		c, msg := configureMsg(t, s)
		require.Empty(t, msg)
		cc := clientWith(t, f, "", "")
		cc.ClientSessionCache = tls.NewLRUClientSessionCache(4)
		first, _, _ := handshake(t, c.Server("no"), cc)
		assert.False(t, first.DidResume)
		second, _, _ := handshake(t, c.Server("no"), cc)
		assert.Equal(t, tc.resumed, second.DidResume, "tls-session-caching %v", tc.caching)
	}
}

// TestClientSide: the client configuration (a replica's link) presents
// tls-client-cert-file, else the server's certificate, and checks the
// other side's chain against the CA without checking its name.
func TestClientSide(t *testing.T) {
	f := testcerts.Write(t)
	s := baseSettings(f)
	s.CertFile, s.KeyFile = f.RedisCert, f.RedisKey
	c, msg := configureMsg(t, s)
	require.Empty(t, msg)
	// No client certificate configured: the server's own is presented.
	require.Len(t, c.Client().Certificates, 1)
	assert.Equal(t, "Generic-cert", c.Client().Certificates[0].Leaf.Subject.CommonName)
	master, _ := configureMsg(t, baseSettings(f))
	_, serr, cerr := handshake(t, master.Server("yes"), c.Client())
	require.NoError(t, serr)
	require.NoError(t, cerr)

	s.ClientCertFile, s.ClientKeyFile = f.ClientCert, f.ClientKey
	c, msg = configureMsg(t, s)
	require.Empty(t, msg)
	assert.Equal(t, "Client-only", c.Client().Certificates[0].Leaf.Subject.CommonName)
	_, serr, cerr = handshake(t, master.Server("yes"), c.Client())
	require.NoError(t, serr)
	require.NoError(t, cerr)

	// A master whose certificate another CA signed is refused.
	s.CACertFile = f.OtherCA
	c, msg = configureMsg(t, s)
	require.Empty(t, msg)
	_, _, cerr = handshake(t, master.Server("no"), c.Client())
	assert.Error(t, cerr)
}

// TestEncryptedKeys: tls-key-file-pass decrypts keys as OpenSSL writes
// them, PKCS#8 with PBES2 (openssl's default) and legacy PEM encryption.
func TestEncryptedKeys(t *testing.T) {
	f := testcerts.Write(t)
	der, err := os.ReadFile(f.ServerKey)
	require.NoError(t, err)
	b, _ := pem.Decode(der)
	legacy := filepath.Join(f.Dir, "legacy.key")
	//lint:ignore SA1019 the legacy format is what is tested
	enc, err := x509.EncryptPEMBlock(zeroReader{}, "PRIVATE KEY", b.Bytes, []byte("1234"), x509.PEMCipherAES256)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(legacy, pem.EncodeToMemory(enc), 0o600))
	keys := []string{legacy}
	if _, err := exec.LookPath("openssl"); err == nil {
		for _, args := range [][]string{
			{"pkcs8", "-topk8", "-v2", "aes256"},
			{"pkcs8", "-topk8", "-v2", "aes128", "-v2prf", "hmacWithSHA1"},
			{"pkcs8", "-topk8", "-v2", "des3"},
		} {
			out := filepath.Join(f.Dir, "pkcs8-"+args[3]+".key")
			cmd := exec.Command("openssl", append(args, "-in", f.ServerKey, "-out", out, "-passout", "pass:1234")...)
			o, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", o)
			head, _ := os.ReadFile(out)
			require.Contains(t, string(head), "ENCRYPTED PRIVATE KEY")
			keys = append(keys, out)
		}
	} else {
		t.Log("openssl not installed: only the legacy format is tested")
	}
	for _, key := range keys {
		s := baseSettings(f)
		s.KeyFile = key
		_, msg := configureMsg(t, s)
		assert.Equal(t, "Failed to load private key: "+key+": bad decrypt", msg, "no password")
		s.KeyFilePass = "wrong"
		_, msg = configureMsg(t, s)
		assert.Equal(t, "Failed to load private key: "+key+": bad decrypt", msg, "wrong password")
		s.KeyFilePass = "1234"
		_, msg = configureMsg(t, s)
		assert.Empty(t, msg, key)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// FuzzCipherList: any cipher list is parsed without a panic, and what it
// gives is a list of known suites without repeats.
func FuzzCipherList(f *testing.F) {
	for _, s := range []string{"DEFAULT", "HIGH:!aNULL", "-ALL:+AES128-SHA", "ECDHE+AESGCM:@STRENGTH", ":::", "!", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		ids, ok := ParseCipherList(list)
		if ok != (len(ids) > 0) {
			t.Fatalf("%q: ok %v with %d suites", list, ok, len(ids))
		}
		seen := map[uint16]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("%q: suite %x twice", list, id)
			}
			seen[id] = true
		}
	})
}
