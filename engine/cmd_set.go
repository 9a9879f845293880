package engine

func setHandlers() []handlerEntry {
	return []handlerEntry{}
}
