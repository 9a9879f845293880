package engine

// Error replies worded exactly as Redis 7.0 words them. Handlers reply with
// these through Writer.Error; argument parsers return them as errors.
const (
	errSyntax          = "ERR syntax error"
	errWrongType       = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errNotInt          = "ERR value is not an integer or out of range"
	errNotFloat        = "ERR value is not a valid float"
	errNoSuchKey       = "ERR no such key"
	errDBIndex         = "ERR DB index is out of range"
	errOverflow        = "ERR increment or decrement would overflow"
	errIncrFloatNaN    = "ERR increment would produce NaN or Infinity"
	errInvalidExpire   = "ERR invalid expire time in '%s' command"
	errNoAuth          = "NOAUTH Authentication required."
	errWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	errNoPassSet       = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errNoProto         = "NOPROTO unsupported protocol version"
	errStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errOffsetRange     = "ERR offset is out of range"
	errTimeoutNegative = "ERR timeout is negative"
	errTimeoutNotFloat = "ERR timeout is not a float or out of range"
	errTimeoutRange    = "ERR timeout is out of range"
	errSameObject      = "ERR source and destination objects are the same"
	errIndexRange      = "ERR index out of range"
	errBusyKey         = "BUSYKEY Target key name already exists."
	errPositive        = "ERR value is out of range, must be positive"
	errMultiNested     = "ERR MULTI calls can not be nested"
	errExecNoMulti     = "ERR EXEC without MULTI"
	errDiscardNoMulti  = "ERR DISCARD without MULTI"
	errWatchInMulti    = "ERR WATCH inside MULTI is not allowed"
	errExecAbort       = "EXECABORT Transaction discarded because of previous errors."
	errOOM             = "OOM command not allowed when used memory > 'maxmemory'."
)

// argError is an error whose text is the exact Redis reply.
type argError string

func (e argError) Error() string { return string(e) }
