package engine

// object is implemented by every value type other than strings (which are
// stored as plain Go strings). TYPE and OBJECT ENCODING ask it.
type object interface {
	// typeName is what TYPE answers: "list", "hash", "set", "zset".
	typeName() string
	// encoding is what OBJECT ENCODING answers for the current size, as
	// Redis 7.0 would: "listpack", "quicklist", "hashtable", "intset",
	// "skiplist".
	encoding() string
}
