package tlsconf

import (
	"crypto/tls"
	"strings"
)

// suite is a TLS 1.0-1.2 cipher suite Go implements, with its OpenSSL name
// and the attributes OpenSSL's cipher-list aliases select by.
type suite struct {
	id      uint16
	openssl string
	// tags are the aliases that select it: key exchange (kRSA, kECDHE),
	// authentication (aRSA, aECDSA), cipher (AES128, AESGCM, ...), MAC
	// (SHA1, SHA256, ...) and strength (HIGH, MEDIUM).
	tags []string
}

// suites are in OpenSSL's DEFAULT order (strongest first).
var suites = []suite{
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", []string{"kECDHE", "aECDSA", "AES256", "AESGCM", "AES", "SHA384", "HIGH"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", []string{"kECDHE", "aRSA", "AES256", "AESGCM", "AES", "SHA384", "HIGH"}},
	{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", []string{"kECDHE", "aECDSA", "CHACHA20", "SHA256", "HIGH"}},
	{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", []string{"kECDHE", "aRSA", "CHACHA20", "SHA256", "HIGH"}},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", []string{"kECDHE", "aECDSA", "AES128", "AESGCM", "AES", "SHA256", "HIGH"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", []string{"kECDHE", "aRSA", "AES128", "AESGCM", "AES", "SHA256", "HIGH"}},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "ECDHE-ECDSA-AES128-SHA256", []string{"kECDHE", "aECDSA", "AES128", "AES", "SHA256", "HIGH"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "ECDHE-RSA-AES128-SHA256", []string{"kECDHE", "aRSA", "AES128", "AES", "SHA256", "HIGH"}},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA", []string{"kECDHE", "aECDSA", "AES256", "AES", "SHA1", "SHA", "HIGH"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", []string{"kECDHE", "aRSA", "AES256", "AES", "SHA1", "SHA", "HIGH"}},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA", []string{"kECDHE", "aECDSA", "AES128", "AES", "SHA1", "SHA", "HIGH"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA", []string{"kECDHE", "aRSA", "AES128", "AES", "SHA1", "SHA", "HIGH"}},
	{tls.TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", []string{"kRSA", "aRSA", "RSA", "AES256", "AESGCM", "AES", "SHA384", "HIGH"}},
	{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", []string{"kRSA", "aRSA", "RSA", "AES128", "AESGCM", "AES", "SHA256", "HIGH"}},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA256, "AES128-SHA256", []string{"kRSA", "aRSA", "RSA", "AES128", "AES", "SHA256", "HIGH"}},
	{tls.TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA", []string{"kRSA", "aRSA", "RSA", "AES256", "AES", "SHA1", "SHA", "HIGH"}},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", []string{"kRSA", "aRSA", "RSA", "AES128", "AES", "SHA1", "SHA", "HIGH"}},
	// Outside OpenSSL's DEFAULT (COMPLEMENTOFDEFAULT): 3DES and RC4.
	{tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, "ECDHE-RSA-DES-CBC3-SHA", []string{"kECDHE", "aRSA", "3DES", "SHA1", "SHA", "MEDIUM", "weak"}},
	{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, "DES-CBC3-SHA", []string{"kRSA", "aRSA", "RSA", "3DES", "SHA1", "SHA", "MEDIUM", "weak"}},
	{tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA, "ECDHE-ECDSA-RC4-SHA", []string{"kECDHE", "aECDSA", "RC4", "SHA1", "SHA", "LOW", "weak"}},
	{tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, "ECDHE-RSA-RC4-SHA", []string{"kECDHE", "aRSA", "RC4", "SHA1", "SHA", "LOW", "weak"}},
	{tls.TLS_RSA_WITH_RC4_128_SHA, "RC4-SHA", []string{"kRSA", "aRSA", "RSA", "RC4", "SHA1", "SHA", "LOW", "weak"}},
}

// aliasTags are OpenSSL's other spellings of the tags.
var aliasTags = map[string]string{
	"ECDHE": "kECDHE", "EECDH": "kECDHE", "kEECDH": "kECDHE", "ECDSA": "aECDSA",
	"AESGCM": "AESGCM", "CHACHA20": "CHACHA20", "TLSv1.2": "SHA256",
}

// selects says whether the alias (one word, or words joined by '+', all
// of which must match) selects s.
func (s suite) selects(alias string) bool {
	for _, word := range strings.Split(alias, "+") {
		if !s.has(word) {
			return false
		}
	}
	return true
}

func (s suite) has(word string) bool {
	switch word {
	case "ALL":
		return true
	case "DEFAULT":
		return !s.has("weak")
	case "COMPLEMENTOFDEFAULT":
		return s.has("weak")
	case "COMPLEMENTOFALL", "eNULL", "NULL", "aNULL", "EXPORT", "LOW" + "EXP", "MD5", "PSK", "SRP", "DSS", "CAMELLIA", "ARIA", "IDEA", "SEED", "DES", "kDHE", "DHE", "EDH", "aDSS", "CCM", "CCM8":
		// Nothing Go implements has these.
		return false
	case s.openssl:
		return true
	}
	if t, ok := aliasTags[word]; ok {
		word = t
	}
	for _, t := range s.tags {
		if t == word {
			return true
		}
	}
	return false
}

// ParseCipherList reads an OpenSSL cipher list (tls-ciphers) as
// SSL_CTX_set_cipher_list does, over the cipher suites Go implements:
// words separated by ':', ' ', ',' or ';'; a word adds the suites it
// selects at the end, "-word" removes them, "!word" removes them for good,
// "+word" moves them to the end; "@STRENGTH" and "@SECLEVEL=n" are
// accepted. It fails, as OpenSSL does, when no suite is left.
func ParseCipherList(list string) ([]uint16, bool) {
	var order []suite
	banned := map[uint16]bool{}
	in := func(id uint16) int {
		for i, s := range order {
			if s.id == id {
				return i
			}
		}
		return -1
	}
	words := strings.FieldsFunc(list, func(r rune) bool { return r == ':' || r == ' ' || r == ',' || r == ';' })
	for _, w := range words {
		if strings.HasPrefix(w, "@") {
			continue
		}
		op := byte(0)
		if w[0] == '-' || w[0] == '!' || w[0] == '+' {
			op, w = w[0], w[1:]
		}
		for _, s := range suites {
			if !s.selects(w) {
				continue
			}
			i := in(s.id)
			switch op {
			case 0:
				if i < 0 && !banned[s.id] {
					order = append(order, s)
				}
			case '-', '!':
				if i >= 0 {
					order = append(order[:i], order[i+1:]...)
				}
				if op == '!' {
					banned[s.id] = true
				}
			case '+':
				if i >= 0 {
					order = append(append(order[:i:i], order[i+1:]...), s)
				}
			}
		}
	}
	if len(order) == 0 {
		return nil, false
	}
	ids := make([]uint16, len(order))
	for i, s := range order {
		ids[i] = s.id
	}
	return ids, true
}

// tls13Suites are TLS 1.3's cipher suites by their RFC 8446 names.
var tls13Suites = map[string]bool{
	"TLS_AES_128_GCM_SHA256": true, "TLS_AES_256_GCM_SHA384": true,
	"TLS_CHACHA20_POLY1305_SHA256": true, "TLS_AES_128_CCM_SHA256": true, "TLS_AES_128_CCM_8_SHA256": true,
}

// ciphersuitesAllowTLS13 reads tls-ciphersuites as SSL_CTX_set_ciphersuites
// does: a ':'-separated list of TLS 1.3 suite names, unknown names
// ignored. A list naming no suite leaves TLS 1.3 nothing to negotiate
// with, so it is off. Go negotiates TLS 1.3 with its own fixed set
// (AES-GCM and ChaCha20-Poly1305) and does not let a program narrow it:
// a list naming some suites leaves that set whole.
func ciphersuitesAllowTLS13(list string) bool {
	for _, name := range strings.Split(list, ":") {
		if tls13Suites[name] {
			return true
		}
	}
	return false
}
