package engine

// failoverState is a FAILOVER under way (Redis's failover_* fields).
type failoverState struct {
	// state is "waiting-for-sync" or "failover-in-progress".
	state string
}
