package rdb

// OpFunction2 is RDB_OPCODE_FUNCTION2: a function library (its code, in
// one string) follows, in a file and in a FUNCTION DUMP payload.
const OpFunction2 = opFunction2

// Function writes a function library: the opcode and its code.
func (w *Writer) Function(code string) {
	b := append(w.buf[:0], opFunction2)
	b = AppendString(b, code, w.opts.Compress)
	w.buf = b
	w.write(b)
}

// DecodeFunctions reads the libraries of a FUNCTION DUMP payload whose
// footer was removed (Redis's functionRestoreCommand), worded as Redis
// words its failures.
func DecodeFunctions(p []byte) ([][]byte, error) {
	d := &decoder{src: newByteSource(p), remaining: int64(len(p))}
	var codes [][]byte
	for d.remaining > 0 {
		t, err := d.byte()
		if err != nil {
			return nil, &Error{Msg: "can not read data type"}
		}
		if t == opFunction {
			return nil, &Error{Msg: "Pre-GA function format not supported"}
		}
		if t != opFunction2 {
			return nil, &Error{Msg: "given type is not a function"}
		}
		code, err := d.stringBytes()
		if err != nil {
			return nil, &Error{Msg: "failed loading the given functions payload"}
		}
		codes = append(codes, code)
	}
	return codes, nil
}
