package engine

func hashHandlers() []handlerEntry {
	return []handlerEntry{}
}
