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
	// copyObject returns an independent copy (COPY, and copy-on-write
	// while a snapshot holds the value).
	copyObject() object
	// mark is the snapshot generation that froze the value (snapshot.go).
	mark() *snapMark
}
