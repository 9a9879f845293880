// Package testcerts makes throw-away TLS certificates for tests, as
// Redis's utils/gen-test-certs.sh does with openssl: a CA, a certificate
// for servers, one for clients and one for both, each with its key, all
// written as PEM files into a test's temporary directory. Nothing is
// committed: every run makes new keys.
package testcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Files are the paths of the PEM files Write made.
type Files struct {
	Dir                   string
	CA                    string // the CA's certificate
	CAKey                 string
	ServerCert, ServerKey string // for servers only (ExtKeyUsageServerAuth)
	ClientCert, ClientKey string // for clients only (ExtKeyUsageClientAuth)
	RedisCert, RedisKey   string // no usage restriction: server and client
	// OtherCA is a second CA that signed nothing here: trusting it
	// instead of CA must make every handshake fail.
	OtherCA string
}

// Write makes the certificates in a new temporary directory of tb.
func Write(tb testing.TB) Files {
	tb.Helper()
	dir := tb.TempDir()
	f, err := WriteDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// WriteDir makes the certificates in dir.
func WriteDir(dir string) (Files, error) {
	f := Files{Dir: dir}
	caKey, caCert, err := makeCA("Certificate Authority")
	if err != nil {
		return f, err
	}
	f.CA, f.CAKey = filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key")
	if err := writeCert(f.CA, caCert.Raw); err != nil {
		return f, err
	}
	if err := writeKey(f.CAKey, caKey); err != nil {
		return f, err
	}
	for _, c := range []struct {
		name       string
		usage      []x509.ExtKeyUsage
		cert, key  *string
		commonName string
	}{
		{"server", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, &f.ServerCert, &f.ServerKey, "Server-only"},
		{"client", []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, &f.ClientCert, &f.ClientKey, "Client-only"},
		{"redis", nil, &f.RedisCert, &f.RedisKey, "Generic-cert"},
	} {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return f, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{Organization: []string{"GoRedis Test"}, CommonName: c.commonName},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  c.usage,
			DNSNames:     []string{"localhost"},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			return f, err
		}
		*c.cert, *c.key = filepath.Join(dir, c.name+".crt"), filepath.Join(dir, c.name+".key")
		if err := writeCert(*c.cert, der); err != nil {
			return f, err
		}
		if err := writeKey(*c.key, key); err != nil {
			return f, err
		}
	}
	_, other, err := makeCA("Other Authority")
	if err != nil {
		return f, err
	}
	f.OtherCA = filepath.Join(dir, "other-ca.crt")
	return f, writeCert(f.OtherCA, other.Raw)
}

func makeCA(name string) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"GoRedis Test"}, CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

func writeCert(path string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
