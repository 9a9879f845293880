// Package tlsconf turns Redis 7.0's tls-* directives into crypto/tls
// configurations, as Redis's tlsConfigure (src/tls.c) turns them into
// OpenSSL contexts: one for the connections the server accepts (its
// client port, replicas connecting to it) and one for the connections it
// makes (a replica's link to its master).
//
// A configuration is built whole or not at all: Configure loads every file
// and checks every option first, so a failed reload (CONFIG SET of a key
// that does not match, a wrong key password) leaves the running
// configuration untouched, as Redis leaves its SSL_CTX.
//
// The native server imports this package; the wasm build does not, so it
// links no crypto/tls.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Settings are the tls-* parameters, by their redis.conf names.
type Settings struct {
	CertFile, KeyFile, KeyFilePass                   string
	ClientCertFile, ClientKeyFile, ClientKeyFilePass string
	DHParamsFile                                     string
	CACertFile, CACertDir                            string
	Protocols, Ciphers, Ciphersuites                 string
	PreferServerCiphers                              bool
	SessionCaching                                   bool
	SessionCacheSize, SessionCacheTimeout            int
	// AuthClients is tls-auth-clients: "yes", "no" or "optional".
	AuthClients string
	Replication bool // tls-replication
	Cluster     bool // tls-cluster
}

// Names are the parameters Settings reads.
var Names = []string{
	"tls-cert-file", "tls-key-file", "tls-key-file-pass",
	"tls-client-cert-file", "tls-client-key-file", "tls-client-key-file-pass",
	"tls-dh-params-file", "tls-ca-cert-file", "tls-ca-cert-dir",
	"tls-protocols", "tls-ciphers", "tls-ciphersuites",
	"tls-prefer-server-ciphers", "tls-session-caching",
	"tls-session-cache-size", "tls-session-cache-timeout",
	"tls-auth-clients", "tls-replication", "tls-cluster",
}

// FromConfig reads Settings through get (a parameter's current value).
func FromConfig(get func(name string) string) Settings {
	num := func(name string) int {
		n, _ := strconv.Atoi(get(name))
		return n
	}
	return Settings{
		CertFile:            get("tls-cert-file"),
		KeyFile:             get("tls-key-file"),
		KeyFilePass:         get("tls-key-file-pass"),
		ClientCertFile:      get("tls-client-cert-file"),
		ClientKeyFile:       get("tls-client-key-file"),
		ClientKeyFilePass:   get("tls-client-key-file-pass"),
		DHParamsFile:        get("tls-dh-params-file"),
		CACertFile:          get("tls-ca-cert-file"),
		CACertDir:           get("tls-ca-cert-dir"),
		Protocols:           get("tls-protocols"),
		Ciphers:             get("tls-ciphers"),
		Ciphersuites:        get("tls-ciphersuites"),
		PreferServerCiphers: get("tls-prefer-server-ciphers") == "yes",
		SessionCaching:      get("tls-session-caching") != "no",
		SessionCacheSize:    num("tls-session-cache-size"),
		SessionCacheTimeout: num("tls-session-cache-timeout"),
		AuthClients:         get("tls-auth-clients"),
		Replication:         get("tls-replication") == "yes",
		Cluster:             get("tls-cluster") == "yes",
	}
}

// Contexts are a built configuration: the server side (one per
// tls-auth-clients mode, since Redis reads that option at each accept) and
// the client side.
type Contexts struct {
	byAuth map[string]*tls.Config
	client *tls.Config
}

// ErrConfigure is what Configure returns after logging the reason with
// Redis's words; hosts reply with their own ("Unable to update TLS
// configuration. Check server logs.").
var ErrConfigure = errors.New("tlsconf: TLS configuration failed")

// Configure builds Contexts from s as Redis's tlsConfigure does; warn
// receives the line Redis logs at warning level when it fails.
func Configure(s Settings, warn func(msg string)) (*Contexts, error) {
	c, msg := configure(s)
	if msg != "" {
		if warn != nil {
			warn(msg)
		}
		return nil, ErrConfigure
	}
	return c, nil
}

func configure(s Settings) (*Contexts, string) {
	if s.CertFile == "" {
		return nil, "No tls-cert-file configured!"
	}
	if s.KeyFile == "" {
		return nil, "No tls-key-file configured!"
	}
	if (s.AuthClients != "no" || s.Cluster || s.Replication) && s.CACertFile == "" && s.CACertDir == "" {
		return nil, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!"
	}
	minV, maxV, msg := parseProtocols(s.Protocols)
	if msg != "" {
		return nil, msg
	}
	cert, msg := loadKeyPair(s.CertFile, s.KeyFile, s.KeyFilePass)
	if msg != "" {
		return nil, msg
	}
	var roots *x509.CertPool
	if s.CACertFile != "" || s.CACertDir != "" {
		var err error
		if roots, err = loadCAs(s.CACertFile, s.CACertDir); err != nil {
			return nil, "Failed to configure CA certificate(s) file/directory: " + err.Error()
		}
	}
	var suites []uint16
	if s.Ciphers != "" {
		var ok bool
		if suites, ok = ParseCipherList(s.Ciphers); !ok {
			return nil, "Failed to configure ciphers: " + s.Ciphers
		}
	}
	if s.Ciphersuites != "" && !ciphersuitesAllowTLS13(s.Ciphersuites) && maxV == tls.VersionTLS13 {
		maxV = tls.VersionTLS12
		if minV > maxV {
			return nil, "Failed to configure ciphersuites: " + s.Ciphersuites
		}
	}
	if s.DHParamsFile != "" {
		if msg := checkDHParams(s.DHParamsFile); msg != "" {
			return nil, msg
		}
	}
	base := &tls.Config{
		MinVersion:   minV,
		MaxVersion:   maxV,
		CipherSuites: suites,
		Certificates: []tls.Certificate{cert},
		ClientCAs:    roots,
	}
	if !s.SessionCaching {
		base.SessionTicketsDisabled = true
	} else if s.SessionCacheTimeout > 0 {
		expireSessions(base, time.Duration(s.SessionCacheTimeout)*time.Second)
	}
	c := &Contexts{byAuth: map[string]*tls.Config{}}
	for mode, auth := range map[string]tls.ClientAuthType{
		"yes":      tls.RequireAndVerifyClientCert,
		"optional": tls.VerifyClientCertIfGiven,
		"no":       tls.NoClientCert,
	} {
		cfg := base.Clone()
		cfg.ClientAuth = auth
		c.byAuth[mode] = cfg
	}
	// Outgoing links present tls-client-cert-file when both it and its
	// key are set, else the server's own certificate, as Redis uses its
	// server context when it has no client one.
	clientCert := cert
	if s.ClientCertFile != "" && s.ClientKeyFile != "" {
		if clientCert, msg = loadKeyPair(s.ClientCertFile, s.ClientKeyFile, s.ClientKeyFilePass); msg != "" {
			return nil, msg
		}
	}
	c.client = &tls.Config{
		MinVersion:   minV,
		MaxVersion:   maxV,
		CipherSuites: suites,
		Certificates: []tls.Certificate{clientCert},
		// OpenSSL's SSL_VERIFY_PEER as Redis sets it: the chain must lead
		// to a configured CA; the host name is not checked.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			return verifyChain(cs.PeerCertificates, roots, x509.ExtKeyUsageServerAuth)
		},
	}
	if !s.SessionCaching {
		c.client.ClientSessionCache = nil
	}
	return c, ""
}

// Server is the configuration for a connection accepted now, given
// tls-auth-clients ("yes", "no" or "optional"; anything else is "yes").
func (c *Contexts) Server(authClients string) *tls.Config {
	if cfg, ok := c.byAuth[authClients]; ok {
		return cfg
	}
	return c.byAuth["yes"]
}

// Client is the configuration for connections the server makes.
func (c *Contexts) Client() *tls.Config { return c.client }

// verifyChain checks that certs lead to one of roots, for usage.
func verifyChain(certs []*x509.Certificate, roots *x509.CertPool, usage x509.ExtKeyUsage) error {
	if len(certs) == 0 {
		return errors.New("tls: peer sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{usage},
	})
	return err
}

// parseProtocols reads tls-protocols as Redis's parseProtocolsConfig:
// space-separated TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 in any case; none means
// TLSv1.2 and TLSv1.3. Go's crypto/tls takes a range, so the versions
// named become the range from the oldest to the newest.
func parseProtocols(str string) (uint16, uint16, string) {
	if str == "" {
		return tls.VersionTLS12, tls.VersionTLS13, ""
	}
	var minV, maxV uint16
	for _, tok := range strings.Split(str, " ") {
		var v uint16
		switch strings.ToLower(tok) {
		case "tlsv1":
			v = tls.VersionTLS10
		case "tlsv1.1":
			v = tls.VersionTLS11
		case "tlsv1.2":
			v = tls.VersionTLS12
		case "tlsv1.3":
			v = tls.VersionTLS13
		case "":
			continue // sdssplitlen keeps empty tokens between spaces; none names a version
		default:
			return 0, 0, "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."
		}
		if minV == 0 || v < minV {
			minV = v
		}
		if v > maxV {
			maxV = v
		}
	}
	if minV == 0 {
		// Only spaces: OpenSSL then disables every version.
		return 0, 0, "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."
	}
	return minV, maxV, ""
}

// loadKeyPair loads a certificate chain and its private key, decrypting
// the key with pass when it is encrypted; the message is Redis's log line
// when it fails.
func loadKeyPair(certFile, keyFile, pass string) (tls.Certificate, string) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Sprintf("Failed to load certificate: %s: %s", certFile, osReason(err))
	}
	var chain tls.Certificate
	for rest := certPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			chain.Certificate = append(chain.Certificate, b.Bytes)
		}
	}
	if len(chain.Certificate) == 0 {
		return tls.Certificate{}, fmt.Sprintf("Failed to load certificate: %s: no certificate found", certFile)
	}
	leaf, err := x509.ParseCertificate(chain.Certificate[0])
	if err != nil {
		return tls.Certificate{}, fmt.Sprintf("Failed to load certificate: %s: %v", certFile, err)
	}
	chain.Leaf = leaf
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Sprintf("Failed to load private key: %s: %s", keyFile, osReason(err))
	}
	key, err := parsePrivateKey(keyPEM, pass)
	if err != nil {
		return tls.Certificate{}, fmt.Sprintf("Failed to load private key: %s: %v", keyFile, err)
	}
	chain.PrivateKey = key
	// Let crypto/tls check that the key matches the certificate.
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, fmt.Sprintf("Failed to load private key: %s: %v", keyFile, err)
	}
	if _, err := tls.X509KeyPair(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: chain.Certificate[0]}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return tls.Certificate{}, fmt.Sprintf("Failed to load private key: %s: %v", keyFile, err)
	}
	return chain, ""
}

// loadCAs reads tls-ca-cert-file and every certificate file of
// tls-ca-cert-dir (OpenSSL looks certificates up there by hashed name;
// loading each file the directory holds trusts the same set).
func loadCAs(file, dir string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, errors.New(osReason(err))
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("no certificate found in %s", file)
		}
	}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, errors.New(osReason(err))
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
				pool.AppendCertsFromPEM(data)
			}
		}
	}
	return pool, nil
}

// checkDHParams reads tls-dh-params-file as Redis does at configuration
// time. Go's crypto/tls has no finite-field Diffie-Hellman (its key
// exchanges are ECDHE and ML-KEM), so the parameters are checked, not used.
func checkDHParams(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("Failed to load %s: %s", path, osReason(err))
	}
	b, _ := pem.Decode(data)
	if b == nil || !strings.Contains(b.Type, "DH PARAMETERS") {
		return path + ": failed to read DH params."
	}
	return ""
}

// expireSessions makes resumed sessions older than timeout start afresh,
// as tls-session-cache-timeout bounds OpenSSL's session cache. Go's
// server resumes from tickets it encrypted (nothing is cached on the
// server, so tls-session-cache-size has nothing to bound); the ticket
// carries its creation time.
func expireSessions(cfg *tls.Config, timeout time.Duration) {
	const tag = "goredis-created:"
	cfg.WrapSession = func(cs tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		stamp := make([]byte, len(tag)+8)
		copy(stamp, tag)
		binary.BigEndian.PutUint64(stamp[len(tag):], uint64(time.Now().Unix()))
		ss.Extra = append(ss.Extra, stamp)
		return cfg.EncryptTicket(cs, ss)
	}
	cfg.UnwrapSession = func(identity []byte, cs tls.ConnectionState) (*tls.SessionState, error) {
		ss, err := cfg.DecryptTicket(identity, cs)
		if err != nil || ss == nil {
			return nil, err
		}
		for _, e := range ss.Extra {
			if len(e) == len(tag)+8 && string(e[:len(tag)]) == tag {
				created := time.Unix(int64(binary.BigEndian.Uint64(e[len(tag):])), 0)
				if time.Since(created) > timeout {
					return nil, nil // a full handshake
				}
				return ss, nil
			}
		}
		return nil, nil
	}
}

// osReason is an OS error's reason as strerror words it.
func osReason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}
