package engine

// CommandSpec holds the facts Redis publishes about one command: the same
// data redis-server answers COMMAND INFO and COMMAND DOCS from. The table in
// spec_gen.go is generated from ../shared/redis-spec/commands.json
// (redis/redis-doc, CC BY-SA 4.0); summaries are written in our own words in
// summaries.go.
type CommandSpec struct {
	Name            string // lower case; a subcommand is "container|sub"
	Container       string // lower case parent name for subcommands
	Group           string
	Since           string
	Complexity      string
	Arity           int
	Flags           []string
	ACLCategories   []string // without the leading '@'
	KeySpecs        []KeySpec
	Args            []ArgSpec
	Hints           []string
	DocFlags        []string
	DeprecatedSince string
	ReplacedBy      string
	// FirstKey, LastKey and Step are the legacy key range COMMAND reports,
	// derived from KeySpecs as Redis derives it.
	FirstKey, LastKey, Step int
}

// KeySpec mirrors one Redis key specification.
type KeySpec struct {
	Notes string // shown by COMMAND INFO and DOCS when set
	Flags []string

	BeginSearch  string // "index", "keyword" or "unknown"
	BSIndex      int
	BSKeyword    string
	BSStartFrom  int
	FindKeys     string // "range", "keynum" or "unknown"
	FKLastKey    int
	FKKeyStep    int
	FKLimit      int
	FKKeyNumIdx  int
	FKFirstKey   int
	FKNumKeyStep int
}

// ArgSpec describes one argument of a command, as COMMAND DOCS shows it.
type ArgSpec struct {
	Name          string
	Type          string
	DisplayText   string
	Token         string
	KeySpecIndex  int // -1 when the argument is not a key
	Since         string
	Optional      bool
	Multiple      bool
	MultipleToken bool
	Args          []ArgSpec
}
