package engine

func listHandlers() []handlerEntry {
	return []handlerEntry{}
}
