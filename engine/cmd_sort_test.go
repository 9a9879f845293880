package engine

import "testing"

// sortScript is deterministic; see setScript.
var sortScript = []string{
	"RPUSH l 3 1 2 10", "SORT l", "SORT l DESC", "SORT l ALPHA", "SORT l ALPHA DESC", "SORT l LIMIT 1 2", "SORT l LIMIT -5 2",
	"SORT l LIMIT 10 2", "SORT l LIMIT 0 -1", "SORT l LIMIT 2 0", "SORT l ASC DESC ASC",
	"RPUSH bad a 1", "SORT bad", "SORT bad ALPHA", "SORT bad DESC ALPHA",
	"SORT l BY nosort", "SORT l BY nosort DESC", "SORT l BY nosort LIMIT 1 2 DESC", "SORT l BY nosort LIMIT 5 2",
	"SET w_1 30", "SET w_2 20", "SET w_3 10", "SET w_10 5", "SORT l BY w_*", "SORT l BY w_* DESC", "SORT l BY w_* LIMIT 1 2",
	"SORT l BY w_*_x", "HSET h_1 f b", "HSET h_2 f a", "SORT l BY h_*->f ALPHA", "SORT l BY h_*->f", "SORT l BY h_*->",
	"SORT l GET # GET w_* GET h_*->f GET nokey GET h_*->nope GET w_*->f", "SORT l BY nosort GET #",
	"SORT l GET w_* STORE dst", "LRANGE dst 0 -1", "SORT l GET h_*->f STORE dst", "LRANGE dst 0 -1",
	"SORT l BY w_* LIMIT 0 0 STORE dst", "EXISTS dst", "SORT l STORE dst", "LRANGE dst 0 -1",
	"SORT_RO l STORE x", "SORT_RO l DESC", "SORT l LIMIT x 1", "SORT l LIMIT 1", "SORT l foo", "SORT l BY", "SORT l GET", "SORT l STORE",
	"SET str x", "SORT str", "SORT str BY nosort", "SORT nokey", "SORT nokey STORE dst", "SORT str STORE dst", "SORT l STORE str", "TYPE str",
	"SADD s 5 3 9", "SORT s", "SORT s BY nosort", "SORT s BY nosort STORE d2", "LRANGE d2 0 -1", "SORT s DESC LIMIT 0 2",
	"SADD t b a c", "SORT t ALPHA", "SORT t BY nosort STORE d3", "LRANGE d3 0 -1", "SORT t",
	"ZADD z 3 a 1 b 2 c", "SORT z BY nosort", "SORT z BY nosort DESC LIMIT 0 2", "SORT z ALPHA DESC", "SORT z", "SORT z BY nosort LIMIT 1 5",
	"RPUSH e '' 1 -1 1.5 1e3 0x10 -inf +inf", "SORT e", "SORT e DESC", "RPUSH g \\s1 2", "SORT g",
	"RPUSH ties 1 01 1.0", "SORT ties", "SORT ties DESC", "RPUSH nan nan 1", "SORT nan",
}

func TestSortCommands(t *testing.T) {
	runScriptGolden(t, "sort", sortScript)
}

// TestSortRangeError is not in the recorded script: after a range error
// real Redis keeps a stale errno and fails later SORTs (see sortScore).
func TestSortRangeError(t *testing.T) {
	runSteps(t, []step{
		{cmd: "RPUSH f 1e400 1", want: integer(2)},
		{cmd: "SORT f", want: errReply("ERR One or more scores can't be converted into double")},
		{cmd: "SORT f STORE d", want: errReply("ERR One or more scores can't be converted into double")},
		{cmd: "RPUSH u 1e-400 1", want: integer(2)},
		{cmd: "SORT u", want: errReply("ERR One or more scores can't be converted into double")},
		{cmd: "RPUSH ok 2 1", want: integer(2)},
		{cmd: "SORT ok", want: bulks("1", "2")},
		{cmd: "SORT f ALPHA", want: bulks("1", "1e400")},
	})
}

func TestSortDiffRedis(t *testing.T) {
	diffScript(t, false, sortScript)
}

// sortResp3Script runs in RESP3; see setScript.
var sortResp3Script = []string{
	"RPUSH l 2 1", "SORT l", "SORT l GET nokey_* GET #", "SORT_RO l BY nosort", "SORT nokey",
}

func TestSortCommandsResp3(t *testing.T) {
	runScriptGoldenProto(t, "sortresp3", sortResp3Script, true)
}

func TestSortDiffRedisResp3(t *testing.T) {
	diffScript(t, true, sortResp3Script)
}
