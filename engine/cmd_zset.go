package engine

func zsetHandlers() []handlerEntry {
	return []handlerEntry{}
}
